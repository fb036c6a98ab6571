package io.failscope.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.failscope.sim.PluginProcess;
import io.failscope.store.RetentionConfig;
import io.failscope.store.sqlite.SqliteFailureStore;
import io.failscope.testing.Mounts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 12.4 from its reproductions, on the real bin/failscope as lightningd runs it: a read-only
 * database is refused at {@code init}, and a full disk is named in {@code failscope-status} while the
 * failures wait, then written once space returns.
 */
final class TestStoreHealth
{
    private static final String ENABLE = "run the tests as root where mount(8) is permitted (as .ci/run does) to enable it";

    @TempDir
    Path lightningDir;

    private final Mounts mounts = new Mounts();
    private FakeLightningRpc node;
    private PluginProcess plugin;

    @BeforeEach
    void start()
            throws IOException
    {
        node = new FakeLightningRpc(lightningDir.resolve("lightning-rpc"));
    }

    @AfterEach
    void stop()
            throws Exception
    {
        if (plugin != null) {
            plugin.close();
            assertThat(plugin.violations()).as("stdout carried only JSON-RPC objects").isEmpty();
        }
        node.close();
        mounts.close();
    }

    @Test
    void aReadOnlyDatabaseMakesInitAnswerDisableWithTheReason()
            throws Exception
    {
        Path data = lightningDir.resolve("failscope");
        SqliteFailureStore.open(data, RetentionConfig.DEFAULT, Clock.systemUTC()).close();
        Path file = data.resolve(SqliteFailureStore.FILE_NAME);
        makeReadOnly(file);
        plugin = PluginProcess.start(lightningDir, Map.of()).checkMessagesWith(SchemaConformance.INSTANCE);
        plugin.request("getmanifest", PluginProcess.MAPPER.createObjectNode());

        JsonNode init = plugin.request("init", TestStdioPlugin.initParams(lightningDir, PluginProcess.MAPPER.createObjectNode())).get("result");

        assertThat(init.path("disable").asText()).as("init answered %s", init)
                .startsWith("failscope cannot start: the database " + file + " cannot be written: the database cannot be written (read-only file or directory, or permissions)");
    }

    @Test
    void inTheJvmDialectAReadOnlyDatabaseStopsTheStartWithOneClearLine()
            throws Exception
    {
        Path data = lightningDir.resolve("data");
        SqliteFailureStore.open(data, RetentionConfig.DEFAULT, Clock.systemUTC()).close();
        Path file = data.resolve(SqliteFailureStore.FILE_NAME);
        makeReadOnly(file);
        Path conf = Files.writeString(lightningDir.resolve("failscope.conf"), "dir=data\nhttp.port=0\n");

        Process process = new ProcessBuilder(PluginProcess.LAUNCHER.toString(), "--conf", conf.toString()).redirectInput(ProcessBuilder.Redirect.PIPE).start();
        process.getOutputStream().close();
        String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();

        assertThat(process.exitValue()).isEqualTo(1);
        List<String> lines = stderr.strip().lines().toList();
        assertThat(lines.get(lines.size() - 1)).as(stderr)
                .startsWith("failscope cannot start: the database " + file + " cannot be written: the database cannot be written (read-only file or directory, or permissions)");
        assertThat(stderr).doesNotContain("\tat ");
    }

    private void makeReadOnly(Path file)
            throws Exception
    {
        if ("root".equals(System.getProperty("user.name"))) {
            Optional<String> refused = mounts.readOnly(file);
            Assumptions.assumeTrue(refused.isEmpty(), () -> "skipped: root ignores file modes and a read-only bind mount is not permitted here (" + refused.orElse("") + "); " + ENABLE);
        }
        else {
            assertThat(file.toFile().setWritable(false, false)).isTrue();
        }
    }

    @Test
    void aFullDiskIsNamedInStatusAndItsFailuresWaitUntilSpaceReturns()
            throws Exception
    {
        Path data = Files.createDirectory(lightningDir.resolve("failscope"));
        Optional<String> refused = mounts.tmpfs(data, 2048);
        Assumptions.assumeTrue(refused.isEmpty(), () -> "skipped: a 2 MB tmpfs cannot be mounted here (" + refused.orElse("") + "); " + ENABLE);
        plugin = PluginProcess.start(lightningDir, Map.of()).checkMessagesWith(SchemaConformance.INSTANCE);
        plugin.request("getmanifest", PluginProcess.MAPPER.createObjectNode());
        assertThat(plugin.request("init", TestStdioPlugin.initParams(lightningDir, PluginProcess.MAPPER.createObjectNode())).get("result").toString()).isEqualTo("{}");
        awaitStatus(status -> status.path("node").has("node_id"));
        // leave the database 100 kB: not enough for the failures below
        Path filler = data.resolve("filler");
        Files.write(filler, new byte[(int) Math.max(0, Files.getFileStore(data).getUsableSpace() - 100_000)]);

        int failures = 4_000;
        for (int id = 0; id < failures; id++) {
            plugin.notify("forward_event", PluginProcess.MAPPER.createObjectNode().set("forward_event", failedForward(id)));
        }
        JsonNode degraded = awaitStatus(status -> "degraded".equals(status.path("store").path("health").asText())
                && status.path("capture").path("received").asLong() == failures && status.path("store").path("queue_depth").asLong() == 0
                && status.path("store").path("written").asLong() + status.path("store").path("waiting").asLong() == failures);

        assertThat(degraded.path("store").path("cause").asText()).isEqualTo("disk full");
        assertThat(degraded.path("store").path("waiting").asLong()).isPositive();
        assertThat(degraded.path("store").path("dropped").path("disk_full").asLong()).isZero();
        assertThat(degraded.path("capture").path("dropped").path("store_failed").asLong()).isZero();
        assertThat(plugin.stderr()).doesNotContain("no transaction is active").doesNotContain("\tat ");

        Files.delete(filler);
        JsonNode recovered = awaitStatus(status -> status.path("capture").path("recorded").asLong() == failures);

        assertThat(recovered.path("store").path("health").asText()).isEqualTo("ok");
        assertThat(recovered.path("store").has("cause")).isFalse();
        assertThat(recovered.path("store").path("waiting").asLong()).isZero();
        assertThat(recovered.path("store").path("records").asLong()).isEqualTo(failures);
        // thousands of failed writes: a line or two in lightningd's log naming the cause, not one per record, and no stack trace
        List<String> logged = plugin.notifications().stream().filter(message -> message.path("method").asText().equals("log"))
                .map(message -> message.path("params").path("message").asText()).toList();
        assertThat(logged.stream().filter(line -> line.contains("disk full")).count()).as("%s", logged).isBetween(1L, 3L);
        assertThat(logged).noneMatch(line -> line.contains("\tat ") || line.contains("no transaction is active"));
        assertThat(plugin.stderr()).doesNotContain("\tat ");
    }

    private JsonNode awaitStatus(Predicate<JsonNode> done)
            throws Exception
    {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        JsonNode status = plugin.request("failscope-status", null).get("result");
        while (!done.test(status)) {
            assertThat(System.nanoTime()).as("failscope-status never got there; last: %s", status).isLessThan(deadline);
            Thread.sleep(50);
            status = plugin.request("failscope-status", null).get("result");
        }
        return status;
    }

    private static ObjectNode failedForward(int htlcId)
    {
        return PluginProcess.MAPPER.createObjectNode()
                .put("payment_hash", "613fd23a60f752d97f7995f5e91d1d23eabde3a7abcb786074e7fb7b5d9a4dee")
                .put("in_channel", "101x1x0")
                .put("in_htlc_id", htlcId)
                .put("out_channel", "103x1x0")
                .put("in_msat", 1_001_001)
                .put("out_msat", 1_000_000)
                .put("fee_msat", 1001)
                .put("status", "failed")
                .put("style", "tlv")
                .put("received_time", 1755675000.5)
                .put("resolved_time", 1755675003.25);
    }
}
