package io.failscope.store.sqlite;

import io.failscope.store.FailureFilter;
import io.failscope.store.Page;
import io.failscope.store.RetentionConfig;
import io.failscope.store.StoredFailure;
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
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A record whose future completed survives a SIGKILL of the process, and the database opens cleanly
 * afterwards: 20 kills at random moments, each checked.
 */
final class TestStoreCrash
{
    private static final int KILLS = 20;

    @TempDir
    Path directory;

    @Test
    void everyAcknowledgedRecordSurvivesSigkill()
            throws Exception
    {
        Random random = new Random(Long.getLong("crash.seed", 7L));
        Set<Long> acknowledged = new HashSet<>();
        for (int kill = 0; kill < KILLS; kill++) {
            long firstId = kill * 100_000_000L;
            Process child = new ProcessBuilder(javaExecutable(), "-cp", System.getProperty("java.class.path"), CrashWriter.class.getName(), directory.toString(), Long.toString(firstId))
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            int acksThisRun = 0;
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                assertThat(lines.readLine()).as("child %s started", kill).isEqualTo("ready");
                long killAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50 + random.nextInt(700));
                String line;
                while ((line = lines.readLine()) != null) {
                    if (line.startsWith("ack ")) {
                        acknowledged.add(Long.parseLong(line.substring(4)));
                        acksThisRun++;
                    }
                    // at a random moment, once the run has done real work (on a loaded machine that takes longer)
                    if (System.nanoTime() >= killAt && acksThisRun > 100) {
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
            assertThat(acksThisRun).as("run %s acknowledged some records before the kill", kill).isPositive();

            try (Connection connection = Database.connect(directory.resolve(SqliteFailureStore.FILE_NAME)); Statement statement = connection.createStatement()) {
                try (ResultSet check = statement.executeQuery("PRAGMA integrity_check")) {
                    assertThat(check.next()).isTrue();
                    assertThat(check.getString(1)).isEqualTo("ok");
                }
            }
            try (SqliteFailureStore store = SqliteFailureStore.open(directory, RetentionConfig.DEFAULT, Clock.systemUTC())) {
                Set<Long> stored = new HashSet<>();
                List<StoredFailure> page;
                long next = 1;
                do {
                    page = store.list(FailureFilter.ALL, new Page(Page.Index.CREATED, OptionalLong.of(next), Page.MAX_LIMIT));
                    for (StoredFailure failure : page) {
                        stored.add(failure.record().inHtlcId().getAsLong());
                        next = failure.createdIndex() + 1;
                    }
                }
                while (!page.isEmpty());
                Set<Long> missing = new HashSet<>(acknowledged);
                missing.removeAll(stored);
                assertThat(missing).as("acknowledged records missing after kill %s", kill).isEmpty();
            }
        }
        // each run wrote for up to three quarters of a second: thousands of records in all
        assertThat(acknowledged).hasSizeGreaterThan(KILLS * 100);
    }

    private static String javaExecutable()
    {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
