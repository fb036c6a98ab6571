package io.failscope.metrics;

import io.failscope.config.ConfigException;
import io.failscope.config.ConfigValues;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

final class TestMetricsConfig
{
    @Test
    void byDefaultNoChannelIsALabel()
            throws ConfigException
    {
        assertThat(read(Map.of())).isEqualTo(MetricsConfig.DEFAULT);
        assertThat(MetricsConfig.DEFAULT.channelLabels()).isZero();
    }

    @Test
    void everyKeyIsRead()
            throws ConfigException
    {
        assertThat(read(Map.of("metrics.channel-labels", "20"))).isEqualTo(new MetricsConfig(20));
        assertThat(read(Map.of("metrics.channel-labels", "1000"))).isEqualTo(new MetricsConfig(1000));
    }

    @Test
    void rejectsANegativeATooLargeOrANonNumberNamingTheKeyAndValue()
    {
        assertThatThrownBy(() -> read(Map.of("metrics.channel-labels", "-1")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("metrics.channel-labels")
                .hasMessageContaining("-1");
        assertThatThrownBy(() -> read(Map.of("metrics.channel-labels", "1001")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("metrics.channel-labels")
                .hasMessageContaining("1001");
        assertThatThrownBy(() -> read(Map.of("metrics.channel-labels", "all")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("metrics.channel-labels")
                .hasMessageContaining("all");
    }

    private static MetricsConfig read(Map<String, String> values)
            throws ConfigException
    {
        ConfigValues config = new ConfigValues(values);
        MetricsConfig metrics = MetricsConfig.read(config);
        config.finish();
        return metrics;
    }
}
