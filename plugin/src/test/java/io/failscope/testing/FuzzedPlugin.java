package io.failscope.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.failscope.PluginRuntime;
import io.failscope.config.ConfigException;
import io.failscope.config.FailscopeConfig;
import io.failscope.dialect.cln.ClnManifest;
import io.failscope.json.Json;
import io.failscope.node.NodeRpcClient;
import io.failscope.node.NodeRpcException;
import io.failscope.rpc.MessageHandler;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * The whole Core Lightning plugin as the fuzz targets drive it (docs/fuzzing.md): every feature wired
 * by the real {@link PluginRuntime}, a SQLite store and a policy file in a temporary directory, and a
 * node that answers {@code getinfo}, {@code listpeerchannels} and {@code listconfigs}. One per JVM: Jazzer
 * fuzzes one target per JVM, and starting the plugin for each input would leave no time to fuzz.
 */
public final class FuzzedPlugin
{
    /** A user method as Core Lightning's manifest lists it. */
    public record Method(String name, List<String> parameters) {}

    private static final String POLICY = """
            {"rules": [
              {"name": "no-probes", "match": {"peer_id": "0282537b90695efd18234a9c071737b4fcf96dae56bb3fdb4f1127fc902368e0d8", "max_msat": 1000},
               "action": "fail", "code": "incorrect_or_unknown_payment_details"},
              {"name": "quiet-channel", "match": {"out_channel": "103x1x0"}, "action": "fail", "code": "channel_disabled"},
              {"name": "bad-record", "match": {"payment_hash": "613fd23a60f752d97f7995f5e91d1d23eabde3a7abcb786074e7fb7b5d9a4dee"},
               "action": "fail", "code": "invalid_onion_payload", "onion_type": 65537, "onion_offset": 12},
              {"name": "everything-else", "action": "continue"}
            ]}
            """;

    /** Warnings about each malformed input would cost more than the input; errors still show. */
    private static final Logger QUIET = Logger.getLogger("io.failscope");

    private static FuzzedPlugin instance;

    private final ObjectMapper mapper = Json.newMapper();
    private final PluginRuntime runtime;
    private final List<Method> methods;
    private final Path exports;

    private FuzzedPlugin(Path directory)
            throws IOException, ConfigException
    {
        exports = Files.createDirectories(directory.resolve("exports"));
        Path policy = directory.resolve("policy.json");
        Files.writeString(policy, POLICY);
        FailscopeConfig config = FailscopeConfig.read(
                Map.of(FailscopeConfig.POLICY_FILE.key(), policy.toString(), "store.synchronous", "normal"),
                directory,
                Function.identity());
        runtime = PluginRuntime.start(config, PluginRuntime.Dialect.CLN, new Node(mapper), mapper);
        List<Method> listed = new ArrayList<>();
        for (JsonNode method : ClnManifest.of(PluginRuntime.features(PluginRuntime.Dialect.CLN)).path("rpcmethods")) {
            String usage = method.path("usage").asText("");
            List<String> parameters = new ArrayList<>();
            for (String word : usage.split(" ")) {
                if (!word.isBlank()) {
                    parameters.add(word.replaceAll("[\\[\\]]", ""));
                }
            }
            listed.add(new Method(method.path("name").asText(), List.copyOf(parameters)));
        }
        methods = List.copyOf(listed);
    }

    /** The plugin of this JVM, started on first use and stopped (its directory removed) when the JVM exits. */
    public static synchronized FuzzedPlugin get()
    {
        if (instance == null) {
            try {
                QUIET.setLevel(Level.SEVERE);
                Path directory = Files.createTempDirectory("failscope-fuzz");
                instance = new FuzzedPlugin(directory);
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    instance.runtime.close();
                    delete(directory);
                }));
            }
            catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            catch (ConfigException e) {
                throw new IllegalStateException(e);
            }
        }
        return instance;
    }

    /** What answers the node's messages and the user's methods, past the transport. */
    public MessageHandler messages()
    {
        return runtime.messages();
    }

    /** Every user and operator method, with its parameters in order. */
    public List<Method> methods()
    {
        return methods;
    }

    /**
     * A file path a fuzzed call may write to: {@code text} kept to a file name inside this plugin's
     * temporary directory, so that a method that writes files (exporthtlcfailures) never writes
     * anywhere else, whatever the fuzzer makes up.
     */
    public String confined(String text)
    {
        String name = text.replaceAll("[^A-Za-z0-9._-]", "_");
        if (name.length() > 200) {
            name = name.substring(0, 200);
        }
        return exports.resolve(name.isEmpty() || name.startsWith(".") ? "x" + name : name).toString();
    }

    public ObjectMapper mapper()
    {
        return mapper;
    }

    private static void delete(Path directory)
    {
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
        catch (IOException e) {
            // a temporary directory left behind is harmless
        }
    }

    /** A node that knows itself, one channel and its settings. */
    private static final class Node
            implements NodeRpcClient
    {
        private final Map<String, JsonNode> answers;

        Node(ObjectMapper mapper)
                throws IOException
        {
            answers = Map.of(
                    "getinfo", mapper.readTree("{\"id\":\"023da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe436f54eb\",\"blockheight\":800000}"),
                    "listpeerchannels", mapper.readTree("""
                            {"channels":[{"peer_id":"0282537b90695efd18234a9c071737b4fcf96dae56bb3fdb4f1127fc902368e0d8","peer_connected":true,
                              "state":"CHANNELD_NORMAL","short_channel_id":"103x1x0","spendable_msat":80000,
                              "minimum_htlc_out_msat":1000,"maximum_htlc_out_msat":990000000,"fee_base_msat":1000,"fee_proportional_millionths":10,
                              "updates":{"local":{"cltv_expiry_delta":34}},"htlcs":[]}]}
                            """),
                    "listconfigs", mapper.readTree("{\"configs\":{\"cltv-delta\":{\"value_int\":34}}}"));
        }

        @Override
        public JsonNode call(String method, JsonNode params)
                throws NodeRpcException
        {
            JsonNode answer = answers.get(method);
            if (answer == null) {
                throw new NodeRpcException("the fuzzed node has no " + method);
            }
            return answer;
        }
    }
}
