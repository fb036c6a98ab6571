package io.failscope.capture;

import io.failscope.ShortChannelId;
import io.failscope.json.Json;
import io.failscope.node.NodeContextCache;
import io.failscope.node.NodeRpcClient;
import io.failscope.node.NodeRpcException;
import io.failscope.reason.FailureSource;
import io.failscope.reason.FailureType;
import io.failscope.record.HtlcFailureRecord;
import io.failscope.store.FailureFilter;
import io.failscope.store.Page;
import io.failscope.store.RetentionConfig;
import io.failscope.store.WriteOutcome;
import io.failscope.store.sqlite.SqliteFailureStore;
import io.failscope.testing.RefusingStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

final class TestCapture
{
    private static final String NODE_ID = "023da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe436f54eb";

    @TempDir
    Path directory;

    /** A node whose getinfo answers only once {@code answering} is set. */
    private static NodeRpcClient node(AtomicBoolean answering)
    {
        return (method, params) -> {
            if (!answering.get()) {
                throw new NodeRpcException("the node is not up yet");
            }
            return switch (method) {
                case "getinfo" -> Json.object().put("id", NODE_ID).put("blockheight", 800_000);
                case "listpeerchannels" -> Json.object().set("channels", Json.array());
                default -> Json.object().set("configs", Json.object());
            };
        };
    }

    private static HtlcFailed failure(long htlcId)
    {
        return HtlcFailed.builder(FailureType.FORWARD, FailureSource.LOCAL, Instant.ofEpochSecond(1_755_675_000L))
                .inChannel(Optional.of(ShortChannelId.parse("101x1x0")))
                .inHtlcId(OptionalLong.of(htlcId))
                .outChannel(Optional.of(ShortChannelId.parse("103x1x0")))
                .failcode(OptionalInt.of(0x100C))
                .build();
    }

    @Test
    void eachRecordIsHeardOnceWhenFirstWrittenAndAReplayIsNot()
            throws Exception
    {
        List<HtlcFailureRecord> heard = new CopyOnWriteArrayList<>();
        try (SqliteFailureStore store = SqliteFailureStore.open(directory, RetentionConfig.DEFAULT, Clock.systemUTC());
                NodeContextCache context = new NodeContextCache(node(new AtomicBoolean(true)), Duration.ofHours(1), Clock.systemUTC());
                Capture capture = new Capture(store, context, new SeenHtlcs(10), Clock.systemUTC(), 10, Set.of(heard::add))) {
            WriteOutcome first = capture.failed(failure(1)).get(10, TimeUnit.SECONDS);
            WriteOutcome replay = capture.failed(failure(1)).get(10, TimeUnit.SECONDS);
            assertThat(first.kind()).isEqualTo(WriteOutcome.Kind.INSERTED);
            assertThat(replay.kind()).isEqualTo(WriteOutcome.Kind.UNCHANGED);
            assertThat(heard).hasSize(1);
            assertThat(heard.get(0).createdIndex()).hasValue(first.createdIndex());
            assertThat(heard.get(0).nodeId().toString()).isEqualTo(NODE_ID);
            assertThat(capture.report().toString()).isEqualTo("{\"received\":2,\"recorded\":2,\"waiting\":0,\"waiting_for_node_id\":0,\"capacity\":10,\"dropped\":{\"queue_full\":0,\"store_failed\":0}}");
        }
    }

    @Test
    void aFailureBeforeTheNodeSaysWhoItIsWaitsAndIsRecordedWithItsCodesReason()
            throws Exception
    {
        AtomicBoolean answering = new AtomicBoolean(false);
        try (SqliteFailureStore store = SqliteFailureStore.open(directory, RetentionConfig.DEFAULT, Clock.systemUTC());
                NodeContextCache context = new NodeContextCache(node(answering), Duration.ofMillis(200), Clock.systemUTC());
                Capture capture = new Capture(store, context, new SeenHtlcs(10), Clock.systemUTC(), 10)) {
            context.start();
            CompletableFuture<WriteOutcome> written = capture.failed(failure(7));
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (capture.report().get("waiting_for_node_id").asLong() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(capture.report().get("waiting_for_node_id").asLong()).isEqualTo(1);
            assertThat(written).isNotDone();
            answering.set(true);
            assertThat(written.get(20, TimeUnit.SECONDS).kind()).isEqualTo(WriteOutcome.Kind.INSERTED);
            HtlcFailureRecord stored = store.list(FailureFilter.ALL, Page.first(10)).get(0).record();
            assertThat(stored.nodeId().toString()).isEqualTo(NODE_ID);
            assertThat(stored.reason().orElseThrow().source().snakeName()).as("no context when it failed: the code's reason").isEqualTo("code");
        }
    }

    @Test
    void aFullQueueDropsAndCountsAndImpossibleTimesAreRefused()
            throws Exception
    {
        // the node's RPC hangs: the worker waits on it with the first failure, and the queue holds one more
        CountDownLatch hung = new CountDownLatch(1);
        NodeContextCache context = new NodeContextCache((method, params) -> {
            try {
                hung.await();
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new NodeRpcException("no answer");
        }, Duration.ofHours(1), Clock.systemUTC());
        try (Capture capture = new Capture(new RefusingStore(), context, new SeenHtlcs(10), Clock.systemUTC(), 1)) {
            List<CompletableFuture<WriteOutcome>> futures = new CopyOnWriteArrayList<>();
            for (int i = 0; i < 50; i++) {
                futures.add(capture.failed(failure(i)));
            }
            long dropped = futures.stream().filter(future -> future.isCompletedExceptionally()).count();
            assertThat(dropped).isPositive();
            assertThat(capture.report().get("dropped").get("queue_full").asLong()).isEqualTo(dropped);
            assertThat(catchThrowable(() -> futures.get(futures.size() - 1).join())).hasMessageContaining("failed HTLCs are waiting to be recorded");

            HtlcFailed ancient = HtlcFailed.builder(FailureType.FORWARD, FailureSource.DOWNSTREAM, Instant.parse("2008-12-31T00:00:00Z")).build();
            assertThatThrownBy(() -> capture.failed(ancient)).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("received_time must be between 2009-01-03T00:00:00Z and ");
            hung.countDown();
        }
        context.close();
    }
}
