package io.failscope.store;

import io.failscope.config.ConfigException;
import io.failscope.config.ConfigValues;
import org.junit.jupiter.api.Test;

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
    }

    @Test
    void everyKeyIsRead()
            throws ConfigException
    {
        assertThat(read(Map.of("store.synchronous", "normal"))).isEqualTo(new StoreConfig(StoreConfig.Synchronous.NORMAL));
        assertThat(read(Map.of("store.synchronous", "full"))).isEqualTo(new StoreConfig(StoreConfig.Synchronous.FULL));
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
