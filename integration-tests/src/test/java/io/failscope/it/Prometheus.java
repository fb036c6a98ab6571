package io.failscope.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.failscope.sim.PluginProcess;
import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * A real Prometheus (Debian's {@code prometheus} package: {@code prometheus} and {@code promtool}),
 * started by a test with its own config, data directory and port, read back through its HTTP API.
 * Tests that need it are skipped, saying how to enable them once, when the programs are absent;
 * {@code .ci/run} installs them.
 */
final class Prometheus
        implements AutoCloseable
{
    static final String SKIP_LINE = "Prometheus tests skipped: install Debian's prometheus package (prometheus and promtool on PATH), or set PROMETHEUS and PROMTOOL to the programs";
    /** The repository's root, where config/prometheus and config/grafana live. */
    static final Path ROOT = PluginProcess.LAUNCHER.getParent().getParent();

    private static final AtomicBoolean SKIP_SAID = new AtomicBoolean();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    private final Process process;
    private final Path log;
    private final int port;

    private Prometheus(Process process, Path log, int port)
    {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /** The program named by {@code variable}, else {@code name} on PATH; skips the calling test when neither is there. */
    static Path program(String variable, String name)
    {
        Optional<Path> found = Optional.ofNullable(System.getenv(variable)).filter(value -> !value.isBlank()).map(Path::of)
                .or(() -> Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                        .filter(directory -> !directory.isBlank())
                        .map(directory -> Path.of(directory, name))
                        .filter(Files::isExecutable)
                        .findFirst());
        if (found.isEmpty() && SKIP_SAID.compareAndSet(false, true)) {
            System.out.println(SKIP_LINE);
        }
        Assumptions.assumeTrue(found.isPresent(), SKIP_LINE);
        return found.get();
    }

    static Path promtool()
    {
        return program("PROMTOOL", "promtool");
    }

    static Path prometheus()
    {
        return program("PROMETHEUS", "prometheus");
    }

    /** Runs a program to its end; returns its exit code and output (stdout and stderr together). */
    static Map.Entry<Integer, String> run(List<String> command)
            throws IOException, InterruptedException
    {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return Map.entry(process.waitFor(), output);
    }

    /**
     * Starts Prometheus in {@code directory}, scraping {@code /metrics} on {@code targetPort} every second
     * (with {@code tokenFile}'s bearer token when not null), with {@code ruleFiles} loaded.
     */
    static Prometheus start(Path directory, int targetPort, Path tokenFile, List<Path> ruleFiles)
            throws IOException, InterruptedException
    {
        Path binary = prometheus();
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        StringBuilder config = new StringBuilder("""
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                """);
        if (!ruleFiles.isEmpty()) {
            config.append("rule_files:\n");
            ruleFiles.forEach(file -> config.append("  - ").append(file.toAbsolutePath()).append('\n'));
        }
        config.append("""
                scrape_configs:
                  - job_name: failscope
                    metrics_path: /metrics
                    static_configs:
                      - targets: ['127.0.0.1:%d']
                """.formatted(targetPort));
        if (tokenFile != null) {
            config.append("    authorization:\n      credentials_file: ").append(tokenFile.toAbsolutePath()).append('\n');
        }
        Path configFile = directory.resolve("prometheus.yml");
        Files.writeString(configFile, config);
        Path log = directory.resolve("prometheus.log");
        List<String> command = new ArrayList<>(List.of(binary.toString(),
                "--config.file=" + configFile,
                "--storage.tsdb.path=" + directory.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port,
                "--log.level=warn"));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Prometheus prometheus = new Prometheus(process, log, port);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("prometheus exited with " + process.exitValue() + ":\n" + Files.readString(log));
            }
            try {
                if (CLIENT.send(HttpRequest.newBuilder(URI.create(prometheus.base() + "/-/ready")).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return prometheus;
                }
            }
            catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        prometheus.close();
        throw new IOException("prometheus was not ready within a minute:\n" + Files.readString(log));
    }

    String base()
    {
        return "http://127.0.0.1:" + port;
    }

    /** An instant query through {@code /api/v1/query}; returns {@code data.result}. */
    JsonNode query(String promql)
            throws IOException, InterruptedException
    {
        URI uri = URI.create(base() + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode body = PluginProcess.MAPPER.readTree(response.body());
        if (!"success".equals(body.path("status").asText())) {
            throw new IOException("query " + promql + " failed: " + response.body());
        }
        return body.get("data").get("result");
    }

    /** The scrape targets as Prometheus sees them ({@code /api/v1/targets}). */
    JsonNode targets()
            throws IOException, InterruptedException
    {
        HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(URI.create(base() + "/api/v1/targets")).build(), HttpResponse.BodyHandlers.ofString());
        return PluginProcess.MAPPER.readTree(response.body()).get("data").get("activeTargets");
    }

    String log()
            throws IOException
    {
        return Files.readString(log);
    }

    @Override
    public void close()
    {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
        catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
