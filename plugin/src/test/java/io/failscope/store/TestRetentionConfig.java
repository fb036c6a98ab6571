package io.failscope.store;

import io.failscope.config.ConfigException;
import io.failscope.config.ConfigValues;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

final class TestRetentionConfig
{
    @Test
    void defaultsKeepEverything()
            throws ConfigException
    {
        RetentionConfig config = read(Map.of());
        assertThat(config).isEqualTo(RetentionConfig.DEFAULT);
        assertThat(config.maxAge()).isEqualTo(Duration.ZERO);
        assertThat(config.maxRows()).isZero();
        assertThat(config.interval()).isEqualTo(Duration.ofMinutes(10));
        assertThat(config.batchSize()).isEqualTo(10_000);
        assertThat(config.enabled()).isFalse();
    }

    @Test
    void everyKeyIsRead()
            throws ConfigException
    {
        RetentionConfig config = read(Map.of(
                "retention.max-age", "90d",
                "retention.max-rows", "20000000",
                "retention.interval", "30s",
                "retention.batch-size", "500"));
        assertThat(config).isEqualTo(new RetentionConfig(Duration.ofDays(90), 20_000_000, Duration.ofSeconds(30), 500));
        assertThat(config.enabled()).isTrue();
        assertThat(read(Map.of("retention.max-age", "2w", "retention.interval", "1h")).maxAge()).isEqualTo(Duration.ofDays(14));
        assertThat(read(Map.of("retention.max-age", "0")).maxAge()).isZero();
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', textBlock = """
            retention.max-age    | 90       | retention.max-age: must be a duration such as 30s, 10m, 12h or 90d, got '90'
            retention.max-age    | 90 days  | retention.max-age: must be a duration such as 30s, 10m, 12h or 90d, got '90 days'
            retention.max-age    | -1d      | retention.max-age: must be a duration such as 30s, 10m, 12h or 90d, got '-1d'
            retention.max-age    | 40000d   | retention.max-age: must be between 0 and 36500d, got '40000d'
            retention.max-rows   | -5       | retention.max-rows: must be between 0 and 9223372036854775807, got '-5'
            retention.max-rows   | lots     | retention.max-rows: must be a whole number, got 'lots'
            retention.interval   | 500ms    | retention.interval: must be between 1s and 7d, got '500ms'
            retention.interval   | 0        | retention.interval: must be between 1s and 7d, got '0'
            retention.batch-size | 0        | retention.batch-size: must be between 1 and 1000000, got '0'
            retention.batch-size | 2000000  | retention.batch-size: must be between 1 and 1000000, got '2000000'
            """)
    void rejectsEachInvalidValueNamingTheKeyAndValue(String key, String value, String problem)
    {
        assertThatThrownBy(() -> read(Map.of(key, value)))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(problem));
    }

    @Test
    void reportsEveryProblemAtOnceAndSuggestsTheClosestKey()
    {
        assertThatThrownBy(() -> read(Map.of("retention.max-age", "soon", "retention.max-row", "5", "retention.batch-size", "x")))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
                        "retention.max-age: must be a duration such as 30s, 10m, 12h or 90d, got 'soon'",
                        "retention.batch-size: must be a whole number, got 'x'",
                        "unknown key retention.max-row (did you mean retention.max-rows?)"));
        assertThatThrownBy(() -> read(Map.of("colour", "red")))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly("unknown key colour"));
    }

    private static RetentionConfig read(Map<String, String> values)
            throws ConfigException
    {
        ConfigValues config = new ConfigValues(values);
        RetentionConfig retention = RetentionConfig.read(config);
        config.finish();
        return retention;
    }
}
