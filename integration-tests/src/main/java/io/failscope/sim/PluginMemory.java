package io.failscope.sim;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The plugin's memory seen from outside: the live heap (a full collection is asked for with
 * {@code jcmd <pid> GC.run}, and its result read from the GC log the simulator has the JVM write,
 * {@code -Xlog:gc:file=...}) and the resident set size. Without jcmd, the heap after the latest
 * collection, whatever its kind.
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

    /** "live heap 4 MB of 247 MB (212 GCs so far), RSS 143 MB". */
    String describe()
            throws IOException, InterruptedException
    {
        boolean full = fullCollection();
        String heap = "no GC yet";
        int collections = 0;
        if (Files.exists(gcLog)) {
            List<String> lines = Files.readAllLines(gcLog);
            for (String line : lines) {
                Matcher matcher = AFTER_GC.matcher(line);
                if (matcher.find()) {
                    collections++;
                    heap = (full ? "live heap " : "heap after the last GC ") + matcher.group(2) + " MB of " + matcher.group(3) + " MB";
                }
            }
        }
        return heap + " (" + collections + " GCs so far), RSS " + residentKilobytes() / 1024 + " MB";
    }

    /** Resident memory from /proc, in kB; -1 if the kernel does not say. */
    long residentKilobytes()
            throws IOException
    {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    /** Asks the plugin's JVM for a full collection with the JDK's jcmd; false if there is none to ask with. */
    private boolean fullCollection()
            throws InterruptedException
    {
        Path jcmd = ProcessHandle.current().info().command().map(java -> Path.of(java).resolveSibling("jcmd")).orElse(Path.of("jcmd"));
        if (!Files.isExecutable(jcmd)) {
            return false;
        }
        try {
            Process process = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.run").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return process.waitFor() == 0;
        }
        catch (IOException e) {
            return false;
        }
    }
}
