package io.failscope.rpc;

import io.failscope.testing.Schemas;
import io.failscope.testing.TestJson;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The schemas reject what the plugin must never send, so validating against them means something. */
final class TestSchemaSanity
{
    @Test
    void aResponseItemWithAnUnknownFieldOrAMissingRequiredOneIsInvalid()
            throws Exception
    {
        String valid = "{\"created_index\":1,\"node_id\":\"023da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe436f54eb\",\"type\":\"forward\",\"source\":\"downstream\",\"reason_detail\":\"x\",\"received_time\":1755648000.123456789}";
        assertThat(Schemas.problems("listhtlcfailures.response", TestJson.MAPPER.readTree("{\"htlcfailures\":[" + valid + "]}"))).isEmpty();
        assertThat(Schemas.problems("listhtlcfailures.response", TestJson.MAPPER.readTree("{\"htlcfailures\":[" + valid.replace("}", ",\"colour\":1}") + "]}"))).isNotEmpty();
        assertThat(Schemas.problems("listhtlcfailures.response", TestJson.MAPPER.readTree("{\"htlcfailures\":[" + valid.replace("\"reason_detail\":\"x\",", "") + "]}"))).isNotEmpty();
        assertThat(Schemas.problems("listhtlcfailures.response", TestJson.MAPPER.readTree("{\"htlcfailures\":[" + valid.replace("}", ",\"failcode\":4103}") + "]}")))
                .as("failcode without its name and reason").isNotEmpty();
        assertThat(Schemas.problems("listhtlcfailures.response", TestJson.MAPPER.readTree("{\"htlcfailures\":[" + valid.replace("\"forward\"", "\"forwarded\"") + "]}"))).isNotEmpty();
    }
}
