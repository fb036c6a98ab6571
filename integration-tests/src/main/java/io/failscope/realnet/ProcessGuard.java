package io.failscope.realnet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Every process the harness starts, and every descendant of one it has seen (lightningd's subdaemons,
 * a plugin's JVM). {@link #close()} kills whatever is still running, descendants first, and then
 * fails loudly if any of them survived; a JVM shutdown hook does the same as a last resort, so a test
 * that fails or a demo stopped with Ctrl-C leaves nothing behind.
 */
public final class ProcessGuard
        implements AutoCloseable
{
    private final Set<ProcessHandle> started = ConcurrentHashMap.newKeySet();
    private final Set<ProcessHandle> seen = ConcurrentHashMap.newKeySet();
    private final Thread lastResort = new Thread(this::killAll, "realnet-process-guard");
    private volatile boolean closed;

    public ProcessGuard()
    {
        Runtime.getRuntime().addShutdownHook(lastResort);
    }

    /** Starts a process and keeps it. */
    public Process start(ProcessBuilder builder)
            throws IOException
    {
        if (closed) {
            throw new IllegalStateException("the process guard is closed");
        }
        Process process = builder.start();
        started.add(process.toHandle());
        seen.add(process.toHandle());
        return process;
    }

    /** Notes every descendant running now, so it is stopped even if its parent is gone first. */
    public void remember()
    {
        started.forEach(process -> process.descendants().forEach(seen::add));
    }

    /** Kills a process and everything below it, children first, and waits until they are gone. */
    public void kill(ProcessHandle process)
    {
        process.descendants().forEach(seen::add);
        List<ProcessHandle> tree = process.descendants().sorted(Comparator.comparingLong(ProcessHandle::pid).reversed()).toList();
        tree.forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        waitGone(tree);
        waitGone(List.of(process));
    }

    /** The processes started or seen here that still run. */
    public List<Long> running()
    {
        return seen.stream().filter(ProcessGuard::isRunning).map(ProcessHandle::pid).sorted().toList();
    }

    private void killAll()
    {
        remember();
        seen.stream().filter(ProcessGuard::isRunning).forEach(ProcessHandle::destroyForcibly);
        waitGone(List.copyOf(seen));
    }

    private static void waitGone(List<ProcessHandle> processes)
    {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (ProcessHandle process : processes) {
            while (isRunning(process) && System.nanoTime() < deadline) {
                try {
                    process.onExit().get(100, TimeUnit.MILLISECONDS);
                }
                catch (Exception e) {
                    // still running, or not ours to wait on: look again
                }
            }
        }
    }

    /** Alive and not a zombie: an orphan nobody has reaped yet has already stopped. */
    static boolean isRunning(ProcessHandle process)
    {
        if (!process.isAlive()) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        }
        catch (IOException | RuntimeException e) {
            return process.isAlive();
        }
    }

    /**
     * Kills what still runs and checks that nothing survived.
     *
     * @throws IllegalStateException naming the survivors
     */
    @Override
    public void close()
    {
        closed = true;
        killAll();
        try {
            Runtime.getRuntime().removeShutdownHook(lastResort);
        }
        catch (IllegalStateException e) {
            // the JVM is already shutting down: the hook runs anyway
        }
        List<Long> survivors = running();
        if (!survivors.isEmpty()) {
            throw new IllegalStateException("processes of the real network survived being killed: pids " + survivors);
        }
    }
}
