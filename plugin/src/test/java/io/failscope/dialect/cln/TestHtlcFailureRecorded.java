package io.failscope.dialect.cln;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.failscope.PluginRuntime;
import io.failscope.record.HtlcFailureRecord;
import io.failscope.store.StoreSamples;
import io.failscope.testing.Schemas;
import io.failscope.testing.TestJson;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

final class TestHtlcFailureRecorded
{
    @Test
    void eachNewRecordIsSentOnceAsAListhtlcfailuresItemUnderTheTopicsName()
            throws Exception
    {
        LinkedBlockingQueue<ObjectNode> sent = new LinkedBlockingQueue<>();
        HtlcFailureRecorded notifier = new HtlcFailureRecorded(sent::add, Clock.systemUTC());
        List<HtlcFailureRecord> records = StoreSamples.records(50, 7);
        for (int i = 0; i < records.size(); i++) {
            notifier.recorded(records.get(i).toBuilder().createdIndex(i + 1).build());
        }
        for (int i = 0; i < records.size(); i++) {
            ObjectNode notification = sent.poll(10, TimeUnit.SECONDS);
            assertThat(notification).as("notification %s", i + 1).isNotNull();
            assertThat(notification.get("jsonrpc").asText()).isEqualTo("2.0");
            assertThat(notification.get("method").asText()).isEqualTo("htlc_failure_recorded");
            assertThat(notification.has("id")).as("a notification, not a request").isFalse();
            JsonNode params = notification.get("params");
            Schemas.assertValid("htlc_failure_recorded.request", params);
            JsonNode item = params.get("htlc_failure_recorded");
            // in the order written, each once, exactly as listhtlcfailures would show it
            assertThat(item.get("created_index").asLong()).isEqualTo(i + 1);
            assertThat(item.get("type").asText()).isEqualTo(records.get(i).type().snakeName());
            Schemas.assertValid("listhtlcfailures.response", TestJson.MAPPER.createObjectNode().set("htlcfailures", TestJson.MAPPER.createArrayNode().add(item)));
        }
        assertThat(sent.poll(100, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void aStuckLightningdNeverHoldsCaptureBack()
            throws Exception
    {
        Object gate = new Object();
        HtlcFailureRecorded notifier = new HtlcFailureRecorded(notification -> {
            synchronized (gate) {
                // never returns while the test holds the gate: lightningd stopped reading
            }
        }, Clock.systemUTC());
        HtlcFailureRecord record = StoreSamples.records(1, 3).get(0).toBuilder().createdIndex(1).build();
        synchronized (gate) {
            // capture's worker goes on: every call returns, the overflow dropped rather than waited for
            // (the bound only keeps a broken build from hanging; it measures nothing)
            CompletableFuture.runAsync(() -> {
                for (int i = 0; i < HtlcFailureRecorded.CAPACITY + 100; i++) {
                    notifier.recorded(record);
                }
            }).get(1, TimeUnit.MINUTES);
        }
    }

    @Test
    void theNotificationSchemaCarriesTheSameItemAsListhtlcfailures()
            throws Exception
    {
        JsonNode notification = read("htlc_failure_recorded.request");
        JsonNode list = read("listhtlcfailures.response");
        assertThat(notification.get("$defs")).isEqualTo(list.get("$defs"));
    }

    @Test
    void theManifestDeclaresTheTopic()
    {
        ObjectNode manifest = ClnManifest.of(PluginRuntime.features(PluginRuntime.Dialect.CLN));
        assertThat(manifest.get("notifications").toString()).isEqualTo("[{\"method\":\"htlc_failure_recorded\"}]");
        Schemas.assertValid("getmanifest.response", manifest);
    }

    private static JsonNode read(String name)
            throws Exception
    {
        try (InputStream in = TestHtlcFailureRecorded.class.getResourceAsStream("/schemas/" + name + ".json")) {
            return TestJson.MAPPER.readTree(in);
        }
    }
}
