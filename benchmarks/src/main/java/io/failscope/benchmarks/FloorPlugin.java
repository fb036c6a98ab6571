package io.failscope.benchmarks;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The floor for {@link HookBenchmark}: a plugin process with no logic at all. It answers every
 * request on stdin with {@code continue}, echoing the id, and does nothing else.
 */
public final class FloorPlugin
{
    private static final Pattern ID = Pattern.compile("\"id\":(\"[^\"]*\"|[0-9]+)");

    private FloorPlugin() {}

    public static void main(String[] args)
            throws Exception
    {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8), 1 << 16);
        BufferedWriter out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16);
        String line;
        while ((line = in.readLine()) != null) {
            Matcher id = ID.matcher(line);
            if (!line.isEmpty() && id.find()) {
                out.write("{\"jsonrpc\":\"2.0\",\"id\":" + id.group(1) + ",\"result\":{\"result\":\"continue\"}}\n\n");
                out.flush();
            }
        }
    }
}
