package io.failscope;

import io.failscope.config.ConfigException;
import io.failscope.config.ConfigFile;
import io.failscope.config.FailscopeConfig;
import io.failscope.node.HttpNodeRpcClient;
import io.failscope.node.NodeRpcClient;
import io.failscope.node.NodeRpcException;
import io.failscope.transport.stdio.ClnPlugin;
import io.failscope.transport.stdio.NodeLogHandler;
import io.failscope.transport.stdio.ProtocolWriter;
import io.failscope.transport.stdio.StdioTransport;

import java.io.BufferedInputStream;
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
        // stdout is the protocol channel: nothing else may ever write to it
        ProtocolWriter writer = new ProtocolWriter(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16));
        System.setOut(new PrintStream(new FileOutputStream(FileDescriptor.err), true));
        Logging.toStderr();
        try {
            if ("1".equals(System.getenv("LIGHTNINGD_PLUGIN"))) {
                runUnderLightningd(writer);
            }
            else if (args.length == 2 && args[0].equals("--conf")) {
                runAlone(Path.of(args[1]));
            }
            else {
                System.err.println("usage: failscope --conf FILE    (jvm dialect: serve HTTP JSON-RPC for a JVM node)");
                System.err.println("       or name bin/failscope as a plugin in Core Lightning's config: plugin=/path/to/bin/failscope");
                System.exit(2);
            }
        }
        catch (RuntimeException e) {
            System.err.println("failscope cannot start: " + e.getMessage());
            e.printStackTrace(System.err);
            System.exit(1);
        }
    }

    private static void runUnderLightningd(ProtocolWriter writer)
    {
        Logging.also(new NodeLogHandler(writer));
        ClnPlugin plugin = new ClnPlugin(writer, PluginRuntime::start, () -> System.exit(0));
        // the frame reader takes a byte at a time: buffered, or each byte would be a system call
        new StdioTransport(new BufferedInputStream(new FileInputStream(FileDescriptor.in), 1 << 16), writer, plugin).run();
    }

    private static void runAlone(Path configFile)
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
        NodeRpcClient node = config.node().rpcUrl().<NodeRpcClient>map(url -> new HttpNodeRpcClient(url, config.node().rpcTimeout()))
                .orElse((method, params) -> {
                    throw new NodeRpcException("no node RPC is configured (node.rpc-url)");
                });
        PluginRuntime runtime = PluginRuntime.start(config, node);
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
