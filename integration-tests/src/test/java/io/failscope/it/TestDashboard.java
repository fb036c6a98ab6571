package io.failscope.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.failscope.sim.JvmSimulation;
import io.failscope.sim.PluginProcess;
import io.failscope.sim.Simulation;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard in a real browser: headless Chromium from Debian, driven by Selenium through Debian's
 * chromedriver (no driver is downloaded). After a simulator run, the page loads without console
 * errors, its charts hold what {@code htlcfailurestats} says, a filter narrows the table to the
 * matching records, and its Fail and Resume buttons reach the node as verdicts. It saves a screenshot
 * (target/dashboard.png; docs/dashboard.png is a copy). Skipped, saying so in one line, without
 * {@code /usr/bin/chromium} and {@code /usr/bin/chromedriver} ({@code apt-get install chromium chromium-driver}, as .ci/run does).
 */
final class TestDashboard
{
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final String SKIP_LINE = "TestDashboard skipped: no /usr/bin/chromium or /usr/bin/chromedriver; enable it with: apt-get install chromium chromium-driver";
    /** The demo policy's hold rule: HTLCs of at least 50,000 sat from this peer. */
    private static final String HOLDING_PEER = "034f561d7707e41c321c7ad217bbc91aabc0c3d8bdec5521800b1ace34cb5791de";
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @TempDir
    Path directory;

    @Test
    void afterASimulatorRunThePageShowsTheStoreAndActsOnHeldHtlcs()
            throws Exception
    {
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (!present) {
            System.out.println(SKIP_LINE);
        }
        Assumptions.assumeTrue(present, SKIP_LINE);

        int port = freePort();
        Simulation.Settings settings = new Simulation.Settings(PluginProcess.LAUNCHER, directory, PluginProcess.LAUNCHER.getParent().getParent().resolve("config/demo-policy.json"),
                port, "2m", 13, 32, 250, Map.of(), SchemaConformance.INSTANCE);
        try (JvmSimulation simulation = JvmSimulation.start(settings)) {
            simulation.run(1_500, sent -> {});
            simulation.releaseHeld(Duration.ofMinutes(1));
            simulation.storedFailuresByReason(simulation.tally().failedCount(), Duration.ofMinutes(1));

            // two HTLCs the hold rule keeps, asked as the node asks; their answers come when the page acts
            long height = simulation.query("failscope-status", PluginProcess.MAPPER.createObjectNode()).get("result").get("node").get("block_height").asLong();
            URI rpc = URI.create("http://127.0.0.1:" + port + "/rpc");
            CompletableFuture<HttpResponse<String>> toFail = intercept(rpc, 900_001, height);
            CompletableFuture<HttpResponse<String>> toResume = intercept(rpc, 900_002, height);
            awaitHeld(simulation, 2);

            WebDriver browser = browser();
            try {
                browser.get("http://127.0.0.1:" + port + "/");
                WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
                wait.until(driver -> Boolean.TRUE.equals(script(driver, "return window.failscope && window.failscope.loaded")));
                assertThat(browser.findElement(By.id("error")).isDisplayed()).as("the page shows no error").isFalse();

                assertChartIsTheStats(simulation, browser);
                assertTopIsTheStats(simulation, browser);
                assertThat(browser.findElements(By.cssSelector("#chart canvas"))).as("the chart is drawn").isNotEmpty();
                assertThat(browser.findElement(By.id("health")).getText()).contains("records stored");
                assertThat(browser.findElements(By.cssSelector("#policy tbody tr"))).hasSize(4);

                assertFilterNarrowsTheTable(simulation, browser, wait);
                screenshot(browser);
                assertFailAndResumeReachTheNode(browser, wait, toFail, toResume);

                List<String> problems = new ArrayList<>();
                for (LogEntry entry : browser.manage().logs().get(LogType.BROWSER)) {
                    if (entry.getLevel().intValue() >= Level.WARNING.intValue()) {
                        problems.add(entry.getLevel() + " " + entry.getMessage());
                    }
                }
                assertThat(problems).as("the browser console").isEmpty();
            }
            finally {
                browser.quit();
            }
            assertThat(simulation.violations()).isEmpty();
        }
    }

    private static WebDriver browser()
    {
        // Debian's driver, never one Selenium Manager would fetch
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,2300", "--lang=en-US");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability(ChromeOptions.LOGGING_PREFS, logs);
        return new ChromeDriver(service, options);
    }

    private static Object script(WebDriver driver, String script, Object... arguments)
    {
        return ((JavascriptExecutor) driver).executeScript(script, arguments);
    }

    private static JsonNode pageState(WebDriver browser, String part)
            throws IOException
    {
        return PluginProcess.MAPPER.readTree((String) script(browser, "return JSON.stringify(window.failscope." + part + ")"));
    }

    private static JsonNode stats(JvmSimulation simulation, ObjectNode params)
            throws IOException, InterruptedException
    {
        JsonNode answer = simulation.query("htlcfailurestats", params);
        assertThat(answer.has("result")).as(answer.toString()).isTrue();
        return answer.get("result");
    }

    private static Map<String, Long> countsByReason(JsonNode stats)
    {
        Map<String, Long> counts = new HashMap<>();
        stats.get("groups").forEach(group -> counts.merge(group.get("reason").isNull() ? "(none)" : group.get("reason").asText(), group.get("count").asLong(), Long::sum));
        return counts;
    }

    /** Each bar of each time bucket is htlcfailurestats' count for that reason in that bucket, and together they are all of them. */
    private static void assertChartIsTheStats(JvmSimulation simulation, WebDriver browser)
            throws Exception
    {
        JsonNode chart = pageState(browser, "chart");
        long width = chart.get("bucket_seconds").asLong();
        Map<String, Long> shownTotals = new HashMap<>();
        for (int i = 0; i < chart.get("buckets").size(); i++) {
            long start = chart.get("buckets").get(i).asLong();
            Map<String, Long> shown = new HashMap<>();
            int bucket = i;
            chart.get("reasons").fields().forEachRemaining(entry -> {
                long count = entry.getValue().get(bucket).asLong();
                if (count > 0) {
                    shown.put(entry.getKey(), count);
                    shownTotals.merge(entry.getKey(), count, Long::sum);
                }
            });
            ObjectNode params = PluginProcess.MAPPER.createObjectNode().put("group_by", "reason").put("since", start).put("until", start + width);
            assertThat(shown).as("the bars of the bucket at " + start).isEqualTo(countsByReason(stats(simulation, params)));
        }
        Map<String, Long> all = countsByReason(stats(simulation, PluginProcess.MAPPER.createObjectNode().put("group_by", "reason")));
        assertThat(shownTotals).as("the chart covers every failure").isEqualTo(all);
        assertThat(all.keySet()).contains("channel_balance_overdrawn", "fee_insufficient", "policy_failed", "hold_deadline");
    }

    private static void assertTopIsTheStats(JvmSimulation simulation, WebDriver browser)
            throws Exception
    {
        JsonNode top = pageState(browser, "top");
        JsonNode channels = stats(simulation, PluginProcess.MAPPER.createObjectNode().put("group_by", "out_channel"));
        Map<String, Long> counts = new HashMap<>();
        Map<String, Long> fees = new HashMap<>();
        channels.get("groups").forEach(group -> {
            if (!group.get("out_channel").isNull()) {
                counts.put(group.get("out_channel").asText(), group.get("count").asLong());
                fees.put(group.get("out_channel").asText(), group.get("missed_fee_msat").asLong());
            }
        });
        assertThat(top.get("channels_by_count")).isNotEmpty();
        long previous = Long.MAX_VALUE;
        for (JsonNode entry : top.get("channels_by_count")) {
            assertThat(entry.get("value").asLong()).isEqualTo(counts.get(entry.get("key").asText())).isLessThanOrEqualTo(previous);
            previous = entry.get("value").asLong();
        }
        assertThat(top.get("channels_by_count").get(0).get("value").asLong()).isEqualTo(counts.values().stream().mapToLong(Long::longValue).max().orElseThrow());
        for (JsonNode entry : top.get("channels_by_fee")) {
            assertThat(entry.get("value").asLong()).isEqualTo(fees.get(entry.get("key").asText()));
        }
        assertThat(browser.findElements(By.cssSelector("#top-channels-count tr"))).hasSize(top.get("channels_by_count").size());
    }

    /** Choosing a reason and applying it leaves only that reason's newest records in the table. */
    private static void assertFilterNarrowsTheTable(JvmSimulation simulation, WebDriver browser, WebDriverWait wait)
            throws Exception
    {
        List<String> before = reasonsInTable(browser);
        assertThat(before).as("the unfiltered table mixes reasons").hasSizeGreaterThan(1);

        new Select(browser.findElement(By.id("filter-reason"))).selectByValue("fee_insufficient");
        browser.findElement(By.id("filter-apply")).click();
        wait.until(driver -> driver.findElement(By.tagName("body")).getAttribute("data-filtered") != null);

        List<Long> all = new ArrayList<>();
        long start = 0;
        while (true) {
            ObjectNode params = PluginProcess.MAPPER.createObjectNode().put("reason", "fee_insufficient").put("index", "created").put("start", start).put("limit", 1000);
            JsonNode page = simulation.query("listhtlcfailures", params).get("result").get("htlcfailures");
            page.forEach(item -> all.add(item.get("created_index").asLong()));
            if (page.size() < 1000) {
                break;
            }
            start = all.get(all.size() - 1) + 1;
        }
        List<Long> expected = all.subList(Math.max(0, all.size() - 50), all.size());
        List<WebElement> rows = browser.findElements(By.cssSelector("#failures tbody tr"));
        assertThat(rows.stream().map(row -> row.getAttribute("data-reason")).distinct().toList()).containsExactly("fee_insufficient");
        assertThat(rows.stream().map(row -> Long.parseLong(row.getAttribute("data-index"))).toList()).isEqualTo(expected);
    }

    private static List<String> reasonsInTable(WebDriver browser)
    {
        return browser.findElements(By.cssSelector("#failures tbody tr")).stream().map(row -> row.getAttribute("data-reason")).distinct().toList();
    }

    private static void assertFailAndResumeReachTheNode(WebDriver browser, WebDriverWait wait, CompletableFuture<HttpResponse<String>> toFail,
            CompletableFuture<HttpResponse<String>> toResume)
            throws Exception
    {
        assertThat(browser.findElements(By.cssSelector("#held tbody tr"))).hasSize(2);
        WebElement failRow = browser.findElement(By.cssSelector("#held tbody tr[data-id='101x1x0/900001']"));
        new Select(failRow.findElement(By.cssSelector("select.fail-code"))).selectByValue("temporary_channel_failure");
        failRow.findElement(By.cssSelector("button.fail")).click();
        JsonNode failed = PluginProcess.MAPPER.readTree(toFail.get(30, TimeUnit.SECONDS).body()).get("result");
        assertThat(failed.get("verdict").asText()).isEqualTo("fail");
        assertThat(failed.get("code").asText()).isEqualTo("temporary_channel_failure");
        assertThat(toResume).isNotDone();

        wait.until(driver -> driver.findElements(By.cssSelector("#held tbody tr")).size() == 1);
        browser.findElement(By.cssSelector("#held tbody tr[data-id='101x1x0/900002'] button.resume")).click();
        JsonNode resumed = PluginProcess.MAPPER.readTree(toResume.get(30, TimeUnit.SECONDS).body()).get("result");
        assertThat(resumed.get("verdict").asText()).isEqualTo("forward");
        wait.until(driver -> driver.findElements(By.cssSelector("#held tbody tr")).isEmpty());
    }

    private static void screenshot(WebDriver browser)
            throws IOException
    {
        File shot = ((ChromeDriver) browser).getScreenshotAs(OutputType.FILE);
        Path target = Path.of("target", "dashboard.png");
        Files.createDirectories(target.getParent());
        Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
    }

    /** An htlc_intercepted of the JVM dialect that the demo policy's hold rule keeps; its answer is the verdict the node gets. */
    private static CompletableFuture<HttpResponse<String>> intercept(URI rpc, int htlcId, long height)
            throws IOException
    {
        ObjectNode params = (ObjectNode) PluginProcess.MAPPER.readTree("""
                {"intercept_id":"%s","requested_next_hop_scid":"105x1x0",
                 "payment_hash":"613fd23a60f752d97f7995f5e91d1d23eabde3a7abcb786074e7fb7b5d9a4dee",
                 "inbound_amount_msat":60000000,"expected_outbound_amount_msat":59990000,
                 "incoming":{"short_channel_id":"101x1x0","htlc_id":%d,"cltv_expiry":%d,"peer_id":"%s"},
                 "block_height":%d}
                """.formatted(String.format("%064x", htlcId), htlcId, height + 500, HOLDING_PEER, height));
        ObjectNode request = PluginProcess.MAPPER.createObjectNode().put("jsonrpc", "2.0").put("id", htlcId).put("method", "htlc_intercepted");
        request.set("params", params);
        return CLIENT.sendAsync(HttpRequest.newBuilder(rpc).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(request.toString())).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static void awaitHeld(JvmSimulation simulation, int count)
            throws Exception
    {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode held = simulation.query("listinterceptedhtlcs", PluginProcess.MAPPER.createObjectNode()).get("result").get("intercepted");
            if (held.size() == count) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the plugin never held " + count + " HTLCs");
    }

    private static int freePort()
            throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
