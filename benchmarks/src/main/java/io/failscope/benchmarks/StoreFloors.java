package io.failscope.benchmarks;

import io.failscope.ShortChannelId;
import io.failscope.record.HtlcFailureRecord;
import org.sqlite.SQLiteConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The two floors the store is measured against, on the same disk in the same run: (1) raw sqlite-jdbc
 * inserts of exactly failscope's rows and indexes, copied from the database the benchmark wrote, so the
 * difference is failscope's own work (encoding, identity probes, dictionaries, totals, summaries);
 * (2) rows shaped like Core Lightning's {@code forwards} table, the peer, made from the same
 * synthetic failures. Both commit every {@link #TRANSACTION} rows with the same pragmas as the store.
 */
final class StoreFloors
{
    static final int TRANSACTION = 10_000;

    /** A floor's result: rows per second and bytes per row on disk. */
    record Floor(String name, long rows, double rowsPerSecond, double bytesPerRow) {}

    private StoreFloors() {}

    static Connection connect(Path file, String synchronous)
            throws SQLException
    {
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.valueOf(synchronous.toUpperCase(Locale.ROOT)));
        config.setCacheSize(-32 * 1024);
        return DriverManager.getConnection("jdbc:sqlite:" + file, config.toProperties());
    }

    /** Copies every row of failscope's {@code failures} table, with its indexes, into a new database. */
    static Floor rawRows(Path failscopeDatabase, Path directory, String synchronous)
            throws Exception
    {
        Path file = directory.resolve("raw-floor.sqlite3");
        Files.deleteIfExists(file);
        long rows = 0;
        long nanos = 0;
        try (Connection source = DriverManager.getConnection("jdbc:sqlite:" + failscopeDatabase);
                Connection target = connect(file, synchronous)) {
            try (Statement schema = source.createStatement(); Statement create = target.createStatement();
                    ResultSet objects = schema.executeQuery("SELECT sql FROM sqlite_schema WHERE tbl_name = 'failures' AND sql IS NOT NULL ORDER BY type DESC")) {
                while (objects.next()) {
                    create.execute(objects.getString(1));
                }
            }
            target.setAutoCommit(false);
            try (Statement select = source.createStatement(); ResultSet all = select.executeQuery("SELECT * FROM failures ORDER BY created_index")) {
                ResultSetMetaData columns = all.getMetaData();
                int count = columns.getColumnCount();
                String placeholders = "?, ".repeat(count - 1) + "?";
                try (PreparedStatement insert = target.prepareStatement("INSERT INTO failures VALUES (" + placeholders + ")")) {
                    List<Object[]> batch = new ArrayList<>(TRANSACTION);
                    boolean more = true;
                    while (more) {
                        batch.clear();
                        while (batch.size() < TRANSACTION && (more = all.next())) {
                            Object[] row = new Object[count];
                            for (int i = 0; i < count; i++) {
                                row[i] = all.getObject(i + 1);
                            }
                            batch.add(row);
                        }
                        long start = System.nanoTime();
                        for (Object[] row : batch) {
                            for (int i = 0; i < count; i++) {
                                insert.setObject(i + 1, row[i]);
                            }
                            insert.executeUpdate();
                        }
                        target.commit();
                        nanos += System.nanoTime() - start;
                        rows += batch.size();
                    }
                }
            }
        }
        return new Floor("raw sqlite-jdbc, failscope's rows and indexes", rows, rows / (nanos / 1e9), (double) Files.size(file) / rows);
    }

    /** Core Lightning's forwards table (wallet/db.c), one row per failed forward of the same synthetic stream. */
    static Floor clnForwards(SyntheticRecords synthetic, long total, Path directory, String synchronous)
            throws Exception
    {
        Path file = directory.resolve("cln-forwards-floor.sqlite3");
        Files.deleteIfExists(file);
        long nanos = 0;
        try (Connection target = connect(file, synchronous); Statement create = target.createStatement()) {
            create.execute("""
                    CREATE TABLE forwards (in_channel_scid BIGINT, in_htlc_id BIGINT, out_channel_scid BIGINT, out_htlc_id BIGINT, in_msatoshi BIGINT,
                        out_msatoshi BIGINT, state INTEGER, received_time BIGINT, resolved_time BIGINT, failcode INTEGER, forward_style INTEGER,
                        updated_index BIGINT DEFAULT 0, PRIMARY KEY (in_channel_scid, in_htlc_id))""");
            create.execute("CREATE INDEX forwards_updated_idx ON forwards (updated_index)");
            target.setAutoCommit(false);
            try (PreparedStatement insert = target.prepareStatement("INSERT INTO forwards VALUES (?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, 1, 0)")) {
                List<HtlcFailureRecord> batch = new ArrayList<>(TRANSACTION);
                for (long i = 0; i < total; ) {
                    batch.clear();
                    for (; i < total && batch.size() < TRANSACTION; i++) {
                        batch.add(synthetic.next(i, total));
                    }
                    long start = System.nanoTime();
                    for (HtlcFailureRecord record : batch) {
                        insert.setLong(1, record.inChannel().map(ShortChannelId::value).orElse(0L));
                        insert.setLong(2, record.inHtlcId().orElse(0));
                        insert.setLong(3, record.outChannel().map(ShortChannelId::value).orElse(0L));
                        insert.setLong(4, record.inMsat().orElse(0));
                        insert.setLong(5, record.outMsat().orElse(record.inMsat().orElse(0)));
                        // 2 failed (downstream), 3 local_failed
                        insert.setInt(6, record.source().code() == 1 ? 2 : 3);
                        insert.setLong(7, record.receivedTime().getEpochSecond() * 1_000_000_000L + record.receivedTime().getNano());
                        if (record.resolvedTime().isPresent()) {
                            insert.setLong(8, record.resolvedTime().get().getEpochSecond() * 1_000_000_000L + record.resolvedTime().get().getNano());
                        }
                        else {
                            insert.setNull(8, Types.BIGINT);
                        }
                        if (record.wireCode().isPresent()) {
                            insert.setInt(9, record.wireCode().getAsInt());
                        }
                        else {
                            insert.setNull(9, Types.INTEGER);
                        }
                        insert.executeUpdate();
                    }
                    target.commit();
                    nanos += System.nanoTime() - start;
                }
            }
        }
        return new Floor("Core Lightning forwards rows", total, total / (nanos / 1e9), (double) Files.size(file) / total);
    }
}
