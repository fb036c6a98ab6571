package io.failscope.store;

import io.failscope.config.ConfigException;
import io.failscope.config.ConfigValues;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

final class TestStoreConfig
{
    @Test
    void defaultsWaitForTheDisk()
            throws ConfigException
    {
        assertThat(read(Map.of())).isEqualTo(StoreConfig.DEFAULT);
        assertThat(StoreConfig.DEFAULT.synchronous()).isEqualTo(StoreConfig.Synchronous.FULL);
        assertThat(StoreConfig.DEFAULT.commitDelay()).isEqualTo(Duration.ofMillis(50));
    }

    @Test
    void everyKeyIsRead()
            throws ConfigException
    {
        assertThat(read(Map.of("store.synchronous", "normal", "store.commit-delay", "0")))
                .isEqualTo(new StoreConfig(StoreConfig.Synchronous.NORMAL, Duration.ZERO));
        assertThat(read(Map.of("store.synchronous", "full", "store.commit-delay", "250ms")))
                .isEqualTo(new StoreConfig(StoreConfig.Synchronous.FULL, Duration.ofMillis(250)));
        assertThat(read(Map.of("store.commit-delay", "1s")).commitDelay()).isEqualTo(Duration.ofSeconds(1));
        assertThat(read(Map.of("store.retry-buffer", "2500")).retryBuffer()).isEqualTo(2_500);
        assertThat(read(Map.of("store.retry-buffer", "0")).retryBuffer()).isZero();
    }

    @Test
    void theRetryBufferDefaultsToAHundredThousandAndRejectsAnythingOutsideZeroToAMillion()
    {
        assertThat(StoreConfig.DEFAULT.retryBuffer()).isEqualTo(100_000);
        assertThatThrownBy(() -> read(Map.of("store.retry-buffer", "-1")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("store.retry-buffer")
                .hasMessageContaining("-1");
        assertThatThrownBy(() -> read(Map.of("store.retry-buffer", "1000001")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("store.retry-buffer")
                .hasMessageContaining("1000001");
        assertThatThrownBy(() -> read(Map.of("store.retry-buffer", "lots")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("store.retry-buffer")
                .hasMessageContaining("lots");
    }

    @Test
    void rejectsACommitDelayOverASecondOrNotADuration()
    {
        assertThatThrownBy(() -> read(Map.of("store.commit-delay", "2s")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("store.commit-delay: must be between")
                .hasMessageContaining("got '2s'");
        assertThatThrownBy(() -> read(Map.of("store.commit-delay", "fast")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("store.commit-delay: must be a duration")
                .hasMessageContaining("got 'fast'");
        assertThatThrownBy(() -> read(Map.of("store.commit-delay", "-5ms")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("got '-5ms'");
    }

    @Test
    void rejectsAnotherModeNamingTheKeyAndValue()
    {
        assertThatThrownBy(() -> read(Map.of("store.synchronous", "off")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("store.synchronous: must be full or normal, got 'off'");
        assertThatThrownBy(() -> read(Map.of("store.synchronous", "FULL")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("store.synchronous: must be full or normal, got 'FULL'");
    }

    private static StoreConfig read(Map<String, String> values)
            throws ConfigException
    {
        ConfigValues config = new ConfigValues(values);
        StoreConfig store = StoreConfig.read(config);
        config.finish();
        return store;
    }
}
