package io.failscope.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * Real file-system conditions for tests, made with mount(8) where the test may mount (root, with the
 * capability): a small tmpfs that fills up, a file made read-only by a read-only bind mount (root
 * ignores file modes, so chmod cannot make a file read-only for it). Each mount is undone by
 * {@link #close()}.
 */
public final class Mounts
        implements AutoCloseable
{
    private final Deque<Path> mounted = new ArrayDeque<>();

    /** Mounts a tmpfs of {@code kilobytes} on {@code directory}; empty (with why) when mounting is not permitted here. */
    public Optional<String> tmpfs(Path directory, int kilobytes)
            throws IOException, InterruptedException
    {
        Optional<String> refused = run("mount", "-t", "tmpfs", "-o", "size=" + kilobytes + "k,mode=1777", "tmpfs", directory.toString());
        if (refused.isEmpty()) {
            mounted.push(directory);
        }
        return refused;
    }

    /** Makes {@code file} read-only for everyone, root included: a read-only bind mount of it on itself. */
    public Optional<String> readOnly(Path file)
            throws IOException, InterruptedException
    {
        Optional<String> refused = run("mount", "--bind", file.toString(), file.toString());
        if (refused.isPresent()) {
            return refused;
        }
        mounted.push(file);
        return run("mount", "-o", "remount,ro,bind", file.toString());
    }

    @Override
    public void close()
            throws IOException, InterruptedException
    {
        List<String> problems = new ArrayList<>();
        while (!mounted.isEmpty()) {
            Path path = mounted.pop();
            run("umount", "-l", path.toString()).ifPresent(problems::add);
        }
        if (!problems.isEmpty()) {
            throw new IOException("could not unmount: " + problems);
        }
    }

    /** Runs a command (through {@code sudo -n} when not root, as CI may run); empty when it succeeded, else what it said. */
    private static Optional<String> run(String... arguments)
            throws IOException, InterruptedException
    {
        List<String> command = new ArrayList<>();
        if (!"root".equals(System.getProperty("user.name"))) {
            command.addAll(List.of("sudo", "-n"));
        }
        command.addAll(List.of(arguments));
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        }
        catch (IOException e) {
            return Optional.of(command.get(0) + " cannot run: " + e.getMessage());
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        int exit = process.waitFor();
        return exit == 0 ? Optional.empty() : Optional.of(String.join(" ", command) + " failed (" + exit + "): " + output);
    }
}
