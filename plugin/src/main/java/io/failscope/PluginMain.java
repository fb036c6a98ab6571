package io.failscope;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.failscope.config.ConfigException;
import io.failscope.config.ConfigFile;
import io.failscope.config.FailscopeConfig;
import io.failscope.dialect.cln.ClnManifest;
import io.failscope.dialect.cln.ClnPlugin;
import io.failscope.dialect.cln.NodeLogHandler;
import io.failscope.json.Json;
import io.failscope.node.HttpNodeRpcClient;
import io.failscope.node.NodeRpcClient;
import io.failscope.node.NodeRpcException;
import io.failscope.status.PluginInfo;
import io.failscope.transport.stdio.ProtocolWriter;
import io.failscope.transport.stdio.StdioTransport;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;

/**
 * Starts failscope. Under lightningd ({@code LIGHTNINGD_PLUGIN=1}) it is a Core Lightning plugin on
 * stdin/stdout; with {@code --conf FILE} it runs alone for a JVM node ({@code jvm} dialect, HTTP only).
 * Only assembles and starts; on a failure it says why on stderr and exits 1.
 */
public final class PluginMain
{
    private static final String USAGE = """
            usage: failscope --conf FILE         serve a JVM node over HTTP (jvm dialect); every key: config/failscope.conf.example
                   failscope demo [options]      see it at work under a simulated node (bin/failscope demo --help)
                   failscope demo --regtest      the same on a throwaway regtest network of real nodes
                   failscope --version           print the version
                   failscope --help              print this
            Under Core Lightning, name it as a plugin in lightningd's config: plugin=/path/to/failscope/bin/failscope
            """;

    private PluginMain() {}

    public static void main(String[] args)
    {
        ObjectMapper mapper = Json.newMapper();
        // stdout is the protocol channel: nothing else may ever write to it
        ProtocolWriter writer = new ProtocolWriter(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16), mapper);
        PrintStream stderr = new PrintStream(new FileOutputStream(FileDescriptor.err), true);
        System.setOut(stderr);
        try {
            if ("1".equals(System.getenv("LIGHTNINGD_PLUGIN"))) {
                runUnderLightningd(writer, mapper, stderr);
            }
            else if (args.length == 2 && args[0].equals("--conf")) {
                Logging.toStderr();
                runAlone(Path.of(args[1]), mapper);
            }
            else if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
                answer(USAGE);
            }
            else if (args.length == 1 && args[0].equals("--version")) {
                answer("failscope " + PluginInfo.jarVersion() + System.lineSeparator());
            }
            else {
                stderr.print(USAGE);
                System.exit(2);
            }
        }
        catch (RuntimeException e) {
            stderr.println("failscope cannot start: " + e.getMessage());
            if (!unavailable(e)) {
                // a known cause (the store cannot write, a port is taken) is said in the line above; only a surprise needs its trace
                e.printStackTrace(stderr);
            }
            System.exit(1);
        }
    }

    private static boolean unavailable(Throwable failure)
    {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof ServiceUnavailableException) {
                return true;
            }
        }
        return false;
    }

    /** What the user asked for, on the real stdout (no node is listening there), and exit 0. */
    private static void answer(String text)
    {
        PrintStream stdout = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        stdout.print(text);
        stdout.flush();
        System.exit(0);
    }

    private static void runUnderLightningd(ProtocolWriter writer, ObjectMapper mapper, PrintStream stderr)
    {
        // failscope's log goes to lightningd's log, each line at its level; stack traces to stderr
        Logging.to(new NodeLogHandler(writer, stderr::print));
        ClnPlugin plugin = new ClnPlugin(
                ClnManifest.of(PluginRuntime.features(PluginRuntime.Dialect.CLN)),
                mapper,
                (config, nodeClient) -> PluginRuntime.start(config, PluginRuntime.Dialect.CLN, nodeClient, mapper, writer::send),
                () -> System.exit(0));
        new StdioTransport(new FileInputStream(FileDescriptor.in), mapper, writer, plugin).run();
    }

    private static void runAlone(Path configFile, ObjectMapper mapper)
    {
        FailscopeConfig config;
        try {
            Path base = configFile.toAbsolutePath().getParent();
            config = FailscopeConfig.read(ConfigFile.read(configFile), base, Function.identity());
        }
        catch (ConfigException e) {
            System.err.println("failscope: " + configFile + " cannot work:");
            e.problems().forEach(problem -> System.err.println("  " + problem));
            System.exit(1);
            return;
        }
        if (!config.http().enabled()) {
            System.err.println("failscope: the jvm dialect talks HTTP only: set http.port in " + configFile);
            System.exit(1);
        }
        NodeRpcClient node = config.node().rpcUrl().<NodeRpcClient>map(url -> new HttpNodeRpcClient(url, config.node().rpcTimeout(), mapper))
                .orElse((method, params) -> {
                    throw new NodeRpcException("no node RPC is configured (node.rpc-url)");
                });
        PluginRuntime runtime = PluginRuntime.start(config, PluginRuntime.Dialect.JVM, node, mapper);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            runtime.close();
            stopped.countDown();
        }, "failscope-shutdown"));
        try {
            stopped.await();
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
