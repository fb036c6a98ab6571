package io.failscope.sim;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The plugin's memory seen from outside: the heap in use after its latest garbage collection (from the
 * GC log the simulator asks the JVM to write, {@code -Xlog:gc:file=...}) and its resident set size.
 */
final class PluginMemory
{
    private static final Pattern AFTER_GC = Pattern.compile("(\\d+)M->(\\d+)M\\((\\d+)M\\)");

    private final Path gcLog;
    private final long pid;

    PluginMemory(Path gcLog, long pid)
    {
        this.gcLog = gcLog;
        this.pid = pid;
    }

    /** The JVM option that makes the plugin write the log this reads. */
    static String gcLogOption(Path gcLog)
    {
        return "-Xlog:gc:file=" + gcLog.toAbsolutePath();
    }

    /** "heap after the last GC 14 MB of 31 MB, 212 GCs; RSS 143 MB". */
    String describe()
            throws IOException
    {
        String heap = "no GC yet";
        int collections = 0;
        if (Files.exists(gcLog)) {
            List<String> lines = Files.readAllLines(gcLog);
            for (String line : lines) {
                Matcher matcher = AFTER_GC.matcher(line);
                if (matcher.find()) {
                    collections++;
                    heap = "heap after the last GC " + matcher.group(2) + " MB of " + matcher.group(3) + " MB";
                }
            }
        }
        long rssKb = -1;
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                rssKb = Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return heap + " (" + collections + " GCs so far), RSS " + rssKb / 1024 + " MB";
    }
}
