package io.failscope.store.postgres;

import io.failscope.store.FailureFilter;
import io.failscope.store.FailureStore;
import io.failscope.store.RetentionConfig;
import io.failscope.store.StoreConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * kill -9 of a plugin writing to PostgreSQL loses no acknowledged record (a record is acknowledged
 * after its commit), stores none twice, and leaves no index range in flight that would hold back
 * every reader's pages: a writer process is killed at random moments, then the records are read.
 */
final class TestPostgresCrash
{
    private static final int KILLS = 4;

    private PostgresUrl url;

    @BeforeEach
    void createSchema()
    {
        url = PostgresTestDatabase.newSchema("crash");
    }

    @AfterEach
    void dropSchema()
    {
        if (url != null) {
            PostgresTestDatabase.drop(url);
        }
    }

    @Test
    void everyAcknowledgedRecordSurvivesSigkillOnce()
            throws Exception
    {
        Random random = new Random(9);
        Set<Long> acknowledged = new HashSet<>();
        for (int kill = 0; kill < KILLS; kill++) {
            int acks = killWhileWriting(kill * 100_000_000L, 200 + random.nextInt(800), acknowledged);
            assertThat(acks).as("run %s acknowledged some records before the kill", kill).isPositive();
        }
        try (FailureStore store = PostgresFailureStore.open(StoreConfig.DEFAULT.withUrl(url, Optional.empty()), RetentionConfig.DEFAULT, Clock.systemUTC())) {
            // the killed writers' ranges are swept, so the pages reach the last committed record
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            List<Long> htlcIds = new ArrayList<>();
            while (true) {
                htlcIds.clear();
                store.scan(FailureFilter.ALL, stored -> htlcIds.add(stored.record().inHtlcId().getAsLong()));
                if (htlcIds.size() >= store.status().records() || System.nanoTime() > deadline) {
                    break;
                }
                Thread.sleep(200);
            }
            assertThat(htlcIds).as("every committed record is paged").hasSize((int) store.status().records());
            assertThat(htlcIds).doesNotHaveDuplicates();
            assertThat(new HashSet<>(htlcIds)).containsAll(acknowledged);
        }
    }

    private int killWhileWriting(long firstId, int killAfterMillis, Set<Long> acknowledged)
            throws Exception
    {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), PgCrashWriter.class.getName(), url.toString(), Long.toString(firstId))
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        int acks = 0;
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            assertThat(lines.readLine()).isEqualTo("ready");
            long killAt = Long.MAX_VALUE;
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.startsWith("ack ")) {
                    acknowledged.add(Long.parseLong(line.substring(4)));
                    acks++;
                    if (acks == 1) {
                        killAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(killAfterMillis);
                    }
                }
                if (System.nanoTime() >= killAt) {
                    child.destroyForcibly();
                    break;
                }
            }
        }
        finally {
            child.destroyForcibly();
            child.waitFor();
        }
        return acks;
    }
}
