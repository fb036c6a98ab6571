package io.failscope.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.failscope.json.Json;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Plugin start-up as lightningd sees it: from process start to the {@code getmanifest} answer, and
 * resident memory after {@code init}; the median of ten runs, for {@code bin/failscope} and for a plain
 * {@code java -jar} of the same jar.
 *
 * <pre>java -cp benchmarks/target/failscope-benchmarks.jar io.failscope.benchmarks.StartupBenchmark [runs]</pre>
 */
public final class StartupBenchmark
{
    private static final ObjectMapper MAPPER = Json.newMapper();

    private StartupBenchmark() {}

    public static void main(String[] args)
            throws Exception
    {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        Path root = Path.of("").toAbsolutePath();
        Path launcher = root.resolve("bin/failscope");
        Path jar = root.resolve("plugin/target/failscope-plugin.jar");
        if (!Files.isExecutable(launcher) || !Files.exists(jar)) {
            System.err.println("run from the project root after building: " + launcher + ", " + jar);
            System.exit(2);
        }
        // the launcher writes its class-data archive on its first exit: one warm-up run
        measure(List.of(launcher.toString()));
        report("bin/failscope (CDS archive, serial GC, 256 MB heap cap)", List.of(launcher.toString()), runs);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        report("java -jar, default flags", List.of(java, "-jar", jar.toString()), runs);
    }

    private static void report(String name, List<String> command, int runs)
            throws Exception
    {
        long[] startMillis = new long[runs];
        long[] rssKb = new long[runs];
        for (int i = 0; i < runs; i++) {
            long[] result = measure(command);
            startMillis[i] = result[0];
            rssKb[i] = result[1];
        }
        Arrays.sort(startMillis);
        Arrays.sort(rssKb);
        System.out.printf(Locale.ROOT, "%s%n  start to getmanifest answered: median %d ms (min %d, max %d)%n  RSS after init: median %.1f MB (min %.1f, max %.1f)%n",
                name, startMillis[runs / 2], startMillis[0], startMillis[runs - 1], rssKb[runs / 2] / 1024.0, rssKb[0] / 1024.0, rssKb[runs - 1] / 1024.0);
    }

    /** {start-to-manifest milliseconds, RSS kB after init}. */
    private static long[] measure(List<String> command)
            throws Exception
    {
        Path lightningDir = Files.createTempDirectory("failscope-startup");
        ProcessBuilder builder = new ProcessBuilder(command).directory(lightningDir.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment().put("LIGHTNINGD_PLUGIN", "1");
        long start = System.nanoTime();
        Process process = builder.start();
        OutputStream in = process.getOutputStream();
        send(in, "{\"jsonrpc\":\"2.0\",\"id\":\"cln:getmanifest#1\",\"method\":\"getmanifest\",\"params\":{}}");
        // created after the first send: Jackson reads ahead to detect the encoding
        MappingIterator<JsonNode> out = MAPPER.readerFor(JsonNode.class).readValues(process.getInputStream());
        next(out, "cln:getmanifest#1");
        long manifestMillis = (System.nanoTime() - start) / 1_000_000;
        send(in, "{\"jsonrpc\":\"2.0\",\"id\":\"cln:init#2\",\"method\":\"init\",\"params\":{\"options\":{},\"configuration\":{\"lightning-dir\":\""
                + lightningDir + "\",\"rpc-file\":\"lightning-rpc\",\"network\":\"regtest\"}}}");
        next(out, "cln:init#2");
        Thread.sleep(1_000);
        long rss = rss(process.pid());
        in.close();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        return new long[] {manifestMillis, rss};
    }

    private static void send(OutputStream in, String message)
            throws IOException
    {
        in.write((message + "\n\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    private static JsonNode next(MappingIterator<JsonNode> out, String id)
            throws IOException
    {
        while (out.hasNextValue()) {
            JsonNode value = out.nextValue();
            if (id.equals(value.path("id").asText())) {
                return value;
            }
        }
        throw new IOException("the plugin ended before answering " + id);
    }

    private static long rss(long pid)
            throws IOException
    {
        List<String> lines = new ArrayList<>(Files.readAllLines(Path.of("/proc/" + pid + "/status")));
        for (String line : lines) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
