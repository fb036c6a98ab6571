package io.failscope.realnet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The CPU time a process has used so far, user plus system, from {@code /proc/PID/stat} (utime and
 * stime, in clock ticks of 1/100 s, Linux's USER_HZ on every common build).
 */
public final class ProcessCpu
{
    private static final double TICKS_PER_SECOND = 100;

    private ProcessCpu() {}

    /** CPU seconds used by the process so far (its own, not its children's). */
    public static double seconds(long pid)
            throws IOException
    {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        // the command name may hold spaces: the fields are counted from the last ')'
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long utime = Long.parseLong(fields[11]);
        long stime = Long.parseLong(fields[12]);
        return (utime + stime) / TICKS_PER_SECOND;
    }
}
