package io.failscope.realnet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * One lightningd on regtest, in a directory of its own, bound to a free loopback port, with the
 * options that keep a test network fast and deterministic ({@code shared/realnet/README.md}). It is
 * called over its RPC socket ({@link #call}) or, as an operator would, through {@code lightning-cli}
 * ({@link #cli}). A node can be stopped and started again with the same directory and options.
 */
public final class LightningNode
{
    private final String name;
    private final Binaries binaries;
    private final Bitcoind bitcoind;
    private final Path directory;
    private final int port;
    private final List<String> options;
    private final ProcessGuard guard;
    private final LightningRpc rpc;
    private volatile Process process;
    private volatile String id;

    private LightningNode(String name, Binaries binaries, Bitcoind bitcoind, Path directory, List<String> options, ProcessGuard guard)
    {
        this.name = requireNonNull(name, "name is null");
        this.binaries = requireNonNull(binaries, "binaries is null");
        this.bitcoind = requireNonNull(bitcoind, "bitcoind is null");
        this.directory = requireNonNull(directory, "directory is null");
        this.options = List.copyOf(options);
        this.guard = requireNonNull(guard, "guard is null");
        this.port = Ports.free();
        this.rpc = new LightningRpc(networkDirectory().resolve("lightning-rpc"));
    }

    /**
     * Starts a node named {@code name} under {@code root}, with extra lightningd {@code options}
     * (a plugin and its options, say), and waits until its RPC answers.
     */
    public static LightningNode start(String name, Path root, Binaries binaries, Bitcoind bitcoind, List<String> options, ProcessGuard guard)
            throws IOException, InterruptedException
    {
        LightningNode node = new LightningNode(name, binaries, bitcoind, root.resolve(name), options, guard);
        node.start();
        return node;
    }

    /** Starts the node (again): same directory, port and options. */
    public void start()
            throws IOException, InterruptedException
    {
        Files.createDirectories(directory);
        List<String> command = new ArrayList<>(List.of(binaries.lightningd().toString(),
                "--network=regtest",
                "--lightning-dir=" + directory,
                "--bitcoin-cli=" + binaries.bitcoinCli(),
                "--bitcoin-datadir=" + bitcoind.directory(),
                "--bitcoin-rpcconnect=127.0.0.1",
                "--bitcoin-rpcport=" + bitcoind.rpcPort(),
                "--bitcoin-rpcuser=" + Bitcoind.user(),
                "--bitcoin-rpcpassword=" + Bitcoind.password(),
                "--bind-addr=127.0.0.1:" + port,
                "--alias=" + name,
                "--log-file=" + logFile(),
                "--developer",
                "--dev-fast-gossip",
                "--dev-bitcoind-poll=1",
                "--dev-no-reconnect",
                "--funding-confirms=1",
                "--force-feerates=5000"));
        // debug by default (a test may look for a debug line); a node's options may choose another level
        if (options.stream().noneMatch(option -> option.startsWith("--log-level="))) {
            command.add("--log-level=debug");
        }
        command.addAll(options);
        Process started = guard.start(new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(directory.resolve("lightningd.out").toFile())));
        process = started;
        JsonNode info = Poll.value(name + "'s RPC (log: " + logFile() + ")", Duration.ofSeconds(90), () -> {
            if (!started.isAlive()) {
                throw new IOException(name + "'s lightningd stopped at once:\n" + tail(directory.resolve("lightningd.out"), 20));
            }
            try {
                return Optional.of(rpc.call("getinfo"));
            }
            catch (IOException e) {
                return Optional.empty();
            }
        });
        id = info.get("id").asText();
        guard.remember();
    }

    /** Asks lightningd to stop, waits for it (and its plugins) to exit; kills what is left after the deadline. */
    public void stop()
            throws InterruptedException
    {
        Process running = process;
        if (running == null || !running.isAlive()) {
            return;
        }
        guard.remember();
        List<ProcessHandle> below = running.descendants().toList();
        try {
            rpc.call("stop");
        }
        catch (IOException e) {
            // it may be stopping already; the deadline below decides
        }
        if (!running.waitFor(30, TimeUnit.SECONDS)) {
            guard.kill(running.toHandle());
        }
        // its subdaemons and plugins leave after it: a restart must find the directory free
        try {
            Poll.until(name + "'s subdaemons and plugins to exit", Duration.ofSeconds(30), () -> below.stream().noneMatch(ProcessGuard::isRunning));
        }
        catch (IOException e) {
            below.forEach(guard::kill);
        }
    }

    public void restart()
            throws IOException, InterruptedException
    {
        stop();
        start();
    }

    public String name()
    {
        return name;
    }

    /** The node id (from {@code getinfo} at start). */
    public String id()
    {
        return id;
    }

    public int port()
    {
        return port;
    }

    /** The {@code --lightning-dir}; the network directory is its {@code regtest/}. */
    public Path directory()
    {
        return directory;
    }

    public Path networkDirectory()
    {
        return directory.resolve("regtest");
    }

    public Path logFile()
    {
        return directory.resolve("log");
    }

    public String log()
            throws IOException
    {
        return Files.exists(logFile()) ? Files.readString(logFile(), StandardCharsets.UTF_8) : "";
    }

    /** lightningd's own process id. */
    public long pid()
    {
        return process.pid();
    }

    /** The plugin processes below lightningd whose command line mentions {@code marker} (a jar's name, say). */
    public List<ProcessHandle> plugins(String marker)
    {
        guard.remember();
        return process.descendants().filter(handle -> commandLine(handle).contains(marker)).toList();
    }

    private static String commandLine(ProcessHandle handle)
    {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(handle.pid()), "cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
        }
        catch (IOException e) {
            return handle.info().commandLine().orElse("");
        }
    }

    public LightningRpc rpc()
    {
        return rpc;
    }

    /** Calls {@code method} with named params given as name, value pairs. */
    public JsonNode call(String method, Object... namesAndValues)
            throws IOException
    {
        return rpc.call(method, params(namesAndValues));
    }

    /** Named params from name, value pairs; a value may be any JSON-able object. */
    public static ObjectNode params(Object... namesAndValues)
    {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("params come in name, value pairs");
        }
        ObjectNode params = Bitcoind.MAPPER.createObjectNode();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            params.set((String) namesAndValues[i], Bitcoind.MAPPER.valueToTree(namesAndValues[i + 1]));
        }
        return params;
    }

    /**
     * Runs {@code lightning-cli} against this node, as an operator would, and returns the JSON it
     * printed; an error it printed (exit status 1) is a {@link LightningRpcException}.
     */
    public JsonNode cli(String... arguments)
            throws IOException, InterruptedException
    {
        List<String> command = new ArrayList<>(cliCommand());
        command.addAll(List.of(arguments));
        Process cli = new ProcessBuilder(command).redirectErrorStream(false).start();
        byte[] out = cli.getInputStream().readAllBytes();
        String err = new String(cli.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!cli.waitFor(60, TimeUnit.SECONDS)) {
            cli.destroyForcibly();
            throw new IOException("lightning-cli " + String.join(" ", arguments) + " did not finish in 60 s");
        }
        String printed = new String(out, StandardCharsets.UTF_8);
        if (cli.exitValue() == 1) {
            throw new LightningRpcException(arguments.length > 0 ? arguments[0] : "", Bitcoind.MAPPER.readTree(printed));
        }
        if (cli.exitValue() != 0) {
            throw new IOException("lightning-cli " + String.join(" ", arguments) + " exited with " + cli.exitValue() + ": " + printed + err);
        }
        return Bitcoind.MAPPER.readTree(printed);
    }

    /** The {@code lightning-cli} command line for this node, for a user to copy. */
    public List<String> cliCommand()
    {
        return List.of(binaries.lightningCli().toString(), "--lightning-dir=" + directory, "--network=regtest");
    }

    public String newAddress()
            throws IOException
    {
        JsonNode address = call("newaddr");
        return address.has("bech32") ? address.get("bech32").asText() : address.get("p2tr").asText();
    }

    /** Waits until this node's view of the chain has reached {@code height}. */
    public void awaitHeight(long height)
            throws IOException, InterruptedException
    {
        Poll.until(name + " at block " + height, Duration.ofSeconds(60), () -> call("getinfo").path("blockheight").asLong() >= height);
    }

    static String tail(Path file, int lines)
            throws IOException
    {
        if (!Files.exists(file)) {
            return "";
        }
        List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    @Override
    public String toString()
    {
        return name + (id == null ? "" : " " + id.substring(0, 8));
    }
}
