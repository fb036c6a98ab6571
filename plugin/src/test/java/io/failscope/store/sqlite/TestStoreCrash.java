package io.failscope.store.sqlite;

import io.failscope.record.HtlcFailureRecord;
import io.failscope.record.RecordCodec;
import io.failscope.store.FailureFilter;
import io.failscope.store.RetentionConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A record whose future completed survives a SIGKILL of the process, and the database opens cleanly
 * afterwards: 20 kills at random moments while records are written, and kills while a database of
 * storage format 1 is being moved to format 2, each checked.
 */
final class TestStoreCrash
{
    private static final int KILLS = 20;
    private static final int MIGRATION_KILLS = 5;

    @TempDir
    Path directory;

    @Test
    void everyAcknowledgedRecordSurvivesSigkill()
            throws Exception
    {
        Random random = new Random(Long.getLong("crash.seed", 7L));
        Set<Long> acknowledged = new HashSet<>();
        for (int kill = 0; kill < KILLS; kill++) {
            // at a random moment, once the run has done real work (on a loaded machine that takes longer)
            int acks = killWhileWriting(kill, 100, 50 + random.nextInt(700), acknowledged);
            assertThat(acks).as("run %s acknowledged some records before the kill", kill).isPositive();
            checkIntegrity();
            assertThat(missing(acknowledged)).as("acknowledged records missing after kill %s", kill).isEmpty();
        }
        // each run wrote for up to three quarters of a second: thousands of records in all
        assertThat(acknowledged).hasSizeGreaterThan(KILLS * 100);
    }

    @Test
    void noAcknowledgedOrMigratedRecordIsLostToASigkillDuringMigration()
            throws Exception
    {
        Path file = directory.resolve(SqliteFailureStore.FILE_NAME);
        Map<Long, byte[]> blobs = V2EraDatabase.copyTo(directory);
        Random random = new Random(Long.getLong("crash.seed", 7L));
        Set<Long> acknowledged = new HashSet<>();
        int killedWhileMoving = 0;
        for (int kill = 0; kill < MIGRATION_KILLS; kill++) {
            // soon after the first acknowledgement: the writer takes groups of records between batches of the migration
            killWhileWriting(kill, 1, random.nextInt(100), acknowledged);
            checkIntegrity();
            try (Connection connection = Database.connect(file); Statement statement = connection.createStatement();
                    ResultSet table = statement.executeQuery("SELECT 1 FROM sqlite_schema WHERE name = 'htlc_failures'")) {
                killedWhileMoving += table.next() ? 1 : 0;
            }
        }
        assertThat(killedWhileMoving).as("kills while records were still moving").isPositive();
        try (SqliteFailureStore store = SqliteFailureStore.open(directory, RetentionConfig.DEFAULT, Clock.systemUTC())) {
            assertThat(store.awaitMigration(Duration.ofMinutes(2))).isTrue();
            Map<Long, HtlcFailureRecord> stored = new HashMap<>();
            store.scan(FailureFilter.ALL, failure -> stored.put(failure.createdIndex(), failure.record()));
            for (Map.Entry<Long, byte[]> blob : blobs.entrySet()) {
                HtlcFailureRecord record = stored.get(blob.getKey());
                assertThat(record).as("record %s", blob.getKey()).isNotNull();
                assertThat(RecordCodec.encode(record).toArray()).as("record %s", blob.getKey()).isEqualTo(blob.getValue());
            }
        }
        assertThat(missing(acknowledged)).isEmpty();
    }

    /** Starts a writer process and kills it {@code killAfterMillis} after its {@code minimumAcks}-th acknowledgement at the earliest; returns its acknowledgements. */
    private int killWhileWriting(int kill, int minimumAcks, int killAfterMillis, Set<Long> acknowledged)
            throws Exception
    {
        long firstId = kill * 100_000_000L;
        Process child = new ProcessBuilder(javaExecutable(), "-cp", System.getProperty("java.class.path"), CrashWriter.class.getName(), directory.toString(), Long.toString(firstId))
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        int acks = 0;
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            assertThat(lines.readLine()).as("child %s started", kill).isEqualTo("ready");
            long killAt = Long.MAX_VALUE;
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.startsWith("ack ")) {
                    acknowledged.add(Long.parseLong(line.substring(4)));
                    acks++;
                    if (acks == minimumAcks) {
                        killAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(killAfterMillis);
                    }
                }
                if (System.nanoTime() >= killAt) {
                    // SIGKILL (no shutdown hook, no close); through the handle so our end of the pipe stays open
                    child.toHandle().destroyForcibly();
                    break;
                }
            }
            // acks already in the pipe were acknowledged before the kill
            while ((line = lines.readLine()) != null) {
                if (line.startsWith("ack ")) {
                    acknowledged.add(Long.parseLong(line.substring(4)));
                }
            }
        }
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return acks;
    }

    private void checkIntegrity()
            throws Exception
    {
        try (Connection connection = Database.connect(directory.resolve(SqliteFailureStore.FILE_NAME)); Statement statement = connection.createStatement();
                ResultSet check = statement.executeQuery("PRAGMA integrity_check")) {
            assertThat(check.next()).isTrue();
            assertThat(check.getString(1)).isEqualTo("ok");
        }
    }

    /** The acknowledged HTLC ids that the store does not hold, after a restart. */
    private Set<Long> missing(Set<Long> acknowledged)
    {
        Set<Long> stored = new HashSet<>();
        try (SqliteFailureStore store = SqliteFailureStore.open(directory, RetentionConfig.DEFAULT, Clock.systemUTC())) {
            // records the writers made: in_htlc_id from their range (the migrated ones are below it)
            store.scan(FailureFilter.ALL, failure -> failure.record().inHtlcId().ifPresent(stored::add));
        }
        Set<Long> missing = new HashSet<>(acknowledged);
        missing.removeAll(stored);
        return missing;
    }

    private static String javaExecutable()
    {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
