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
import io.failscope.transport.stdio.ProtocolWriter;
import io.failscope.transport.stdio.StdioTransport;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.PrintStream;
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
            else {
                stderr.println("usage: failscope --conf FILE    (jvm dialect: serve HTTP JSON-RPC for a JVM node)");
                stderr.println("       or name bin/failscope as a plugin in Core Lightning's config: plugin=/path/to/bin/failscope");
                System.exit(2);
            }
        }
        catch (RuntimeException e) {
            stderr.println("failscope cannot start: " + e.getMessage());
            e.printStackTrace(stderr);
            System.exit(1);
        }
    }

    private static void runUnderLightningd(ProtocolWriter writer, ObjectMapper mapper, PrintStream stderr)
    {
        // failscope's log goes to lightningd's log, each line at its level; stack traces to stderr
        Logging.to(new NodeLogHandler(writer, stderr::print));
        ClnPlugin plugin = new ClnPlugin(
                ClnManifest.of(PluginRuntime.features(PluginRuntime.Dialect.CLN)),
                mapper,
                (config, nodeClient) -> PluginRuntime.start(config, PluginRuntime.Dialect.CLN, nodeClient, mapper),
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
