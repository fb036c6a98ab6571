package io.failscope.config;

import io.failscope.node.NodeConfig;
import io.failscope.store.RetentionConfig;
import io.failscope.transport.http.HttpConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

final class TestFailscopeConfig
{
    private static final Path EXAMPLE = Path.of("..", "config", "failscope.conf.example");

    @TempDir
    Path directory;

    @Test
    void defaults()
            throws ConfigException
    {
        FailscopeConfig config = FailscopeConfig.read(Map.of(), directory, Function.identity());
        assertThat(config.dataDirectory()).isEqualTo(directory.resolve("failscope"));
        assertThat(config.retention()).isEqualTo(RetentionConfig.DEFAULT);
        assertThat(config.http()).isEqualTo(new HttpConfig(OptionalInt.empty(), "127.0.0.1", Optional.empty(), 1_048_576, 100, 33_554_432, Duration.ofSeconds(30), 4096));
        assertThat(config.http().enabled()).isFalse();
        assertThat(config.node()).isEqualTo(new NodeConfig(Duration.ofSeconds(10), Duration.ofSeconds(60), Optional.empty()));
        assertThat(config.policyFile()).isEmpty();
    }

    @Test
    void everyKeyIsRead()
            throws Exception
    {
        Files.writeString(directory.resolve("token"), "s3cret");
        FailscopeConfig config = FailscopeConfig.read(Map.ofEntries(
                Map.entry("dir", "/var/lib/failscope"),
                Map.entry("http.port", "9737"),
                Map.entry("http.address", "127.0.0.2"),
                Map.entry("http.token-file", "token"),
                Map.entry("http.max-request-bytes", "4096"),
                Map.entry("http.max-batch", "10"),
                Map.entry("http.max-answer-bytes", "65536"),
                Map.entry("http.idle-timeout", "2m"),
                Map.entry("http.min-request-rate", "100"),
                Map.entry("retention.max-age", "30d"),
                Map.entry("retention.max-rows", "1000"),
                Map.entry("retention.interval", "1m"),
                Map.entry("retention.batch-size", "100"),
                Map.entry("node.rpc-timeout", "2s"),
                Map.entry("node.refresh-interval", "5m"),
                Map.entry("node.rpc-url", "http://127.0.0.1:9735/rpc"),
                Map.entry("policy.file", "rules.json")), directory, Function.identity());
        assertThat(config.policyFile()).contains(directory.resolve("rules.json"));
        assertThat(config.dataDirectory()).isEqualTo(Path.of("/var/lib/failscope"));
        assertThat(config.http()).isEqualTo(new HttpConfig(OptionalInt.of(9737), "127.0.0.2", Optional.of(directory.resolve("token")), 4096, 10, 65_536, Duration.ofMinutes(2), 100));
        assertThat(config.retention()).isEqualTo(new RetentionConfig(Duration.ofDays(30), 1000, Duration.ofMinutes(1), 100));
        assertThat(config.node()).isEqualTo(new NodeConfig(Duration.ofSeconds(2), Duration.ofMinutes(5), Optional.of(URI.create("http://127.0.0.1:9735/rpc"))));
        assertThat(FailscopeConfig.read(Map.of("http.port", "off"), directory, Function.identity()).http().enabled()).isFalse();
    }

    @Test
    void reportsEveryInvalidValueAtOnceNamingKeyAndValue()
    {
        ConfigException e = catchThrowableOfType(() -> FailscopeConfig.read(Map.of(
                "http.port", "http",
                "http.address", "no.such.host.invalid",
                "http.max-request-bytes", "10",
                "node.rpc-timeout", "0",
                "node.refresh-interval", "never",
                "node.rpc-url", "ftp://node",
                "retention.max-rows", "-1",
                "retention.maxage", "1d"), directory, Function.identity()), ConfigException.class);
        assertThat(e.problems()).containsExactly(
                "retention.max-rows: must be between 0 and 9223372036854775807, got '-1'",
                "http.port: must be a whole number, got 'http'",
                "http.address: is not an address this machine knows, got 'no.such.host.invalid'",
                "http.max-request-bytes: must be between 1024 and 67108864, got '10'",
                "node.rpc-timeout: must be between 100ms and 600s, got '0'",
                "node.refresh-interval: must be a duration such as 30s, 10m, 12h or 90d, got 'never'",
                "node.rpc-url: must be an http:// or https:// URL, got 'ftp://node'",
                "unknown key retention.maxage (did you mean retention.max-age?)");
    }

    @Test
    void coreLightningOptionNamesAppearInMessagesWhenAsked()
    {
        ConfigException e = catchThrowableOfType(() -> FailscopeConfig.read(Map.of("retention.max-rows", "x"), directory,
                key -> "failscope-" + key.replace('.', '-')), ConfigException.class);
        assertThat(e.problems()).containsExactly("failscope-retention-max-rows: must be a whole number, got 'x'");
    }

    @Test
    void aConfigFileReportsBadLinesAndRepeatedKeysTogether()
            throws Exception
    {
        Path file = directory.resolve("failscope.conf");
        Files.writeString(file, "# comment\nhttp.port=1\njust words\nhttp.port=2\n\n");
        ConfigException e = catchThrowableOfType(() -> ConfigFile.read(file), ConfigException.class);
        assertThat(e.problems()).containsExactly("failscope.conf line 3: expected key=value, got 'just words'", "failscope.conf line 4: http.port is set twice");
        assertThat(catchThrowableOfType(() -> ConfigFile.read(directory.resolve("missing.conf")), ConfigException.class).problems().get(0))
                .startsWith("cannot read the config file ");
    }

    /** The example file documents every key, in order, with its default, and runs as it is. */
    @Test
    void theExampleFileDocumentsEveryKeyWithItsDefault()
            throws Exception
    {
        String text = Files.readString(EXAMPLE);
        Pattern entry = Pattern.compile("# (.+)\\n# Default: (.+)\\n#?([a-z.-]+)=", Pattern.MULTILINE);
        Matcher matcher = entry.matcher(text);
        List<String> documented = new ArrayList<>();
        while (matcher.find()) {
            ConfigKey key = FailscopeConfig.KEYS.stream().filter(candidate -> candidate.key().equals(matcher.group(3))).findFirst().orElseThrow();
            documented.add(key.key());
            assertThat(matcher.group(1)).as(key.key()).isEqualTo(key.description());
            assertThat(matcher.group(2)).as(key.key()).startsWith(key.defaultValue() == null ? "unset" : key.defaultValue());
        }
        assertThat(documented).containsExactlyElementsOf(FailscopeConfig.KEYS.stream().map(ConfigKey::key).toList());
        FailscopeConfig config = FailscopeConfig.read(ConfigFile.read(EXAMPLE), EXAMPLE.toAbsolutePath().getParent(), Function.identity());
        assertThat(config.http().port()).hasValue(9737);
    }
}
