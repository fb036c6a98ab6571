package io.failscope.store.sqlite;

import io.failscope.record.HtlcFailureRecord;
import io.failscope.store.StoreException;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The database schema as an ordered list of migrations; the version reached is kept in SQLite's
 * {@code user_version}. Opening an older database applies the missing steps in one transaction;
 * opening a newer one is refused. A released migration is never edited: change the schema by adding
 * one. Columns are derived from the record blob, so a step that adds a column fills it from the blobs.
 */
final class Schema
{
    private interface Migration
    {
        void apply(Connection connection)
                throws SQLException;
    }

    /** created_index >> BLOCK_SHIFT is a row's block in blocks. */
    static final int BLOCK_SHIFT = 12;

    /** Step N takes the database from version N to N + 1. */
    /** Storage format 2; see {@link RowCodec}, {@link BlockSummaries} and {@link Totals}. */
    static final String V7_TABLES = """
            CREATE TABLE nodes (
                id INTEGER PRIMARY KEY,
                key BLOB NOT NULL UNIQUE
            );
            CREATE TABLE links (
                id INTEGER PRIMARY KEY,
                channel INTEGER,
                peer INTEGER
            );
            CREATE TABLE evidence_names (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL UNIQUE
            );
            CREATE TABLE failures (
                created_index INTEGER PRIMARY KEY,
                updated_index INTEGER,
                node INTEGER NOT NULL,
                type INTEGER NOT NULL,
                source INTEGER NOT NULL,
                failcode INTEGER,
                reason INTEGER,
                reason_source INTEGER,
                in_link INTEGER,
                in_htlc_id INTEGER,
                out_link INTEGER,
                in_msat INTEGER,
                out_msat INTEGER,
                fee_msat INTEGER,
                payment_hash BLOB,
                received_ns INTEGER NOT NULL,
                send_id INTEGER,
                rest BLOB
            );
            CREATE INDEX failures_identity ON failures (in_link, in_htlc_id, type) WHERE in_htlc_id IS NOT NULL;
            CREATE INDEX failures_in_link ON failures (in_link) WHERE in_link IS NOT NULL;
            CREATE INDEX failures_out_link ON failures (out_link) WHERE out_link IS NOT NULL;
            CREATE INDEX failures_payment_hash ON failures (created_index >> 16, substr(payment_hash, 1, 4)) WHERE payment_hash IS NOT NULL;
            CREATE INDEX failures_updated ON failures (updated_index) WHERE updated_index IS NOT NULL;
            CREATE INDEX failures_send ON failures (send_id, type) WHERE send_id IS NOT NULL;
            CREATE TABLE blocks (
                block INTEGER PRIMARY KEY,
                min_received_ns INTEGER NOT NULL,
                max_received_ns INTEGER NOT NULL,
                reasons BLOB NOT NULL,
                kinds INTEGER NOT NULL,
                failcodes INTEGER NOT NULL,
                nodes INTEGER NOT NULL,
                min_amount_msat INTEGER,
                max_amount_msat INTEGER
            );
            CREATE TABLE totals (
                dim INTEGER NOT NULL,
                day INTEGER NOT NULL,
                node INTEGER NOT NULL,
                key INTEGER NOT NULL,
                count INTEGER NOT NULL,
                amount_high INTEGER NOT NULL,
                amount_low INTEGER NOT NULL,
                fee_high INTEGER NOT NULL,
                fee_low INTEGER NOT NULL,
                PRIMARY KEY (dim, day, node, key)
            ) WITHOUT ROWID
            """;

    /**
     * The totals of schema 4 to 6 (day, out channel, reason, failcode, type, source) as totals of
     * format 2 under node 0, for the groupings they can split; out channels become links with no peer.
     */
    private static final String V7_OLD_TOTALS = """
            INSERT INTO links (channel, peer) SELECT DISTINCT out_channel, NULL FROM daily_totals WHERE out_channel != -1;
            CREATE TEMP TABLE old_totals AS
                SELECT day / 86400000000000 AS day, IFNULL((SELECT id FROM links WHERE channel = out_channel AND peer IS NULL), 0) AS out_link,
                       reason, failcode, type, count, amount_msat >> 32 AS amount_high, amount_msat & 4294967295 AS amount_low,
                       missed_fee_msat >> 32 AS fee_high, missed_fee_msat & 4294967295 AS fee_low
                FROM daily_totals;
            INSERT INTO totals SELECT 0, day, 0, 0, SUM(count), SUM(amount_high), SUM(amount_low), SUM(fee_high), SUM(fee_low) FROM old_totals GROUP BY day;
            INSERT INTO totals SELECT 1, day, 0, reason, SUM(count), SUM(amount_high), SUM(amount_low), SUM(fee_high), SUM(fee_low) FROM old_totals GROUP BY day, reason;
            INSERT INTO totals SELECT 2, day, 0, failcode, SUM(count), SUM(amount_high), SUM(amount_low), SUM(fee_high), SUM(fee_low) FROM old_totals GROUP BY day, failcode;
            INSERT INTO totals SELECT 3, day, 0, type, SUM(count), SUM(amount_high), SUM(amount_low), SUM(fee_high), SUM(fee_low) FROM old_totals GROUP BY day, type;
            INSERT INTO totals SELECT 4, day, 0, out_link, SUM(count), SUM(amount_high), SUM(amount_low), SUM(fee_high), SUM(fee_low) FROM old_totals GROUP BY day, out_link;
            DROP TABLE old_totals
            """;

    private static final List<Migration> MIGRATIONS = List.of(
            // 1: failure records, counters, daily rollups
            sql("""
                    CREATE TABLE htlc_failures (
                        created_index INTEGER PRIMARY KEY,
                        updated_index INTEGER,
                        type INTEGER NOT NULL,
                        source INTEGER NOT NULL,
                        failcode INTEGER,
                        reason INTEGER,
                        in_channel INTEGER,
                        in_htlc_id INTEGER,
                        out_channel INTEGER,
                        payment_hash_key INTEGER,
                        received_ns INTEGER NOT NULL,
                        amount_msat INTEGER,
                        missed_fee_msat INTEGER NOT NULL,
                        record BLOB NOT NULL
                    );
                    CREATE UNIQUE INDEX htlc_failures_identity ON htlc_failures (in_channel, in_htlc_id, type) WHERE in_channel IS NOT NULL AND in_htlc_id IS NOT NULL;
                    CREATE INDEX htlc_failures_updated ON htlc_failures (updated_index) WHERE updated_index IS NOT NULL;
                    CREATE INDEX htlc_failures_reason ON htlc_failures (reason, created_index);
                    CREATE INDEX htlc_failures_failcode ON htlc_failures (failcode, created_index);
                    CREATE INDEX htlc_failures_in_channel ON htlc_failures (in_channel, created_index);
                    CREATE INDEX htlc_failures_out_channel ON htlc_failures (out_channel, created_index);
                    CREATE INDEX htlc_failures_payment_hash ON htlc_failures (payment_hash_key) WHERE payment_hash_key IS NOT NULL;
                    CREATE INDEX htlc_failures_received ON htlc_failures (received_ns);
                    CREATE TABLE counters (
                        name TEXT PRIMARY KEY,
                        value INTEGER NOT NULL
                    ) WITHOUT ROWID;
                    INSERT INTO counters (name, value) VALUES ('created_index', 0), ('updated_index', 0);
                    CREATE TABLE daily_rollups (
                        day INTEGER NOT NULL,
                        out_channel INTEGER NOT NULL,
                        reason INTEGER NOT NULL,
                        failcode INTEGER NOT NULL,
                        type INTEGER NOT NULL,
                        source INTEGER NOT NULL,
                        count INTEGER NOT NULL,
                        amount_msat INTEGER NOT NULL,
                        missed_fee_msat INTEGER NOT NULL,
                        PRIMARY KEY (day, out_channel, reason, failcode, type, source)
                    ) WITHOUT ROWID
                    """),
            // 2: peer columns for the peer_id filter, filled from the records (record types 41 and 43)
            connection -> {
                sql("""
                        ALTER TABLE htlc_failures ADD COLUMN in_peer_key INTEGER;
                        ALTER TABLE htlc_failures ADD COLUMN out_peer_key INTEGER;
                        CREATE INDEX htlc_failures_in_peer ON htlc_failures (in_peer_key, created_index) WHERE in_peer_key IS NOT NULL;
                        CREATE INDEX htlc_failures_out_peer ON htlc_failures (out_peer_key, created_index) WHERE out_peer_key IS NOT NULL
                        """).apply(connection);
                fillColumns(connection, "in_peer_key = ?, out_peer_key = ?", (update, record) -> {
                    Rows.setNullableLong(update, 1, record.inPeer().map(Rows::peerKey));
                    Rows.setNullableLong(update, 2, record.outPeer().map(Rows::peerKey));
                });
            },
            // 3: the latest received time per block of created indexes, which turns a since filter into
            // a lower bound on created_index (rows arrive in rough time order, so the bound is tight)
            sql("""
                    CREATE TABLE time_blocks (
                        block INTEGER PRIMARY KEY,
                        max_received_ns INTEGER NOT NULL
                    );
                    INSERT INTO time_blocks (block, max_received_ns)
                    SELECT created_index >> 12, MAX(received_ns) FROM htlc_failures GROUP BY 1
                    """),
            // 4: daily totals of every record ever stored (kept when retention prunes rows, reduced when the
            // operator deletes them), so statistics read a small table instead of every row; they absorb the
            // rollups of pruned rows
            sql("""
                    CREATE TABLE daily_totals (
                        day INTEGER NOT NULL,
                        out_channel INTEGER NOT NULL,
                        reason INTEGER NOT NULL,
                        failcode INTEGER NOT NULL,
                        type INTEGER NOT NULL,
                        source INTEGER NOT NULL,
                        count INTEGER NOT NULL,
                        amount_msat INTEGER NOT NULL,
                        missed_fee_msat INTEGER NOT NULL,
                        PRIMARY KEY (day, out_channel, reason, failcode, type, source)
                    ) WITHOUT ROWID;
                    INSERT INTO daily_totals (day, out_channel, reason, failcode, type, source, count, amount_msat, missed_fee_msat)
                    SELECT day, out_channel, reason, failcode, type, source, SUM(count), SUM(amount_msat), SUM(missed_fee_msat) FROM (
                        SELECT received_ns - received_ns % 86400000000000 AS day, IFNULL(out_channel, -1) AS out_channel, IFNULL(reason, -1) AS reason,
                               IFNULL(failcode, -1) AS failcode, type, source, 1 AS count, IFNULL(amount_msat, 0) AS amount_msat, missed_fee_msat
                        FROM htlc_failures
                        UNION ALL
                        SELECT day, out_channel, reason, failcode, type, source, count, amount_msat, missed_fee_msat FROM daily_rollups)
                    GROUP BY day, out_channel, reason, failcode, type, source;
                    DROP TABLE daily_rollups
                    """),
            // 5: our own payments' identity (record type 45, new with this step: no stored record has it)
            sql("""
                    ALTER TABLE htlc_failures ADD COLUMN send_id INTEGER;
                    CREATE UNIQUE INDEX htlc_failures_send ON htlc_failures (send_id, type) WHERE send_id IS NOT NULL
                    """),
            // 6: how many records are stored, kept by the writer, so a status read needs no count of the rows;
            // the node of each record, for the nodes filter and the node grouping (record type 6)
            connection -> {
                sql("""
                        INSERT INTO counters (name, value) SELECT 'records', COUNT(*) FROM htlc_failures;
                        ALTER TABLE htlc_failures ADD COLUMN node_key INTEGER
                        """).apply(connection);
                fillColumns(connection, "node_key = ?", (update, record) -> update.setLong(1, Rows.peerKey(record.nodeId())));
            },
            // 7: storage format 2 (RowCodec): table failures, node ids, channels and evidence names stored
            // once, four indexes instead of ten, per-block summaries of the filter columns (blocks) and
            // totals per day, node and grouping key (totals). The daily totals move over at once, kept
            // under node 0 ("unknown"); the rows move in the background (Migration), batch by batch.
            connection -> {
                sql(V7_TABLES).apply(connection);
                sql(V7_OLD_TOTALS).apply(connection);
                sql("""
                        DROP TABLE daily_totals;
                        DROP TABLE time_blocks;
                        INSERT INTO counters (name, value) SELECT 'migrate_through', IFNULL(MAX(created_index), 0) FROM htlc_failures;
                        INSERT INTO counters (name, value) VALUES ('migrated_through', 0)
                        """).apply(connection);
            });


    static final int CURRENT_VERSION = MIGRATIONS.size();

    private Schema() {}

    /** Brings the database to {@link #CURRENT_VERSION}, or refuses a database from a newer failscope. */
    static void migrate(Connection connection, String databaseName)
            throws SQLException
    {
        int version = version(connection);
        if (version > CURRENT_VERSION) {
            throw new StoreException("database " + databaseName + " has schema version " + version
                    + ", written by a newer failscope; this version reads schema versions up to " + CURRENT_VERSION
                    + ". Upgrade failscope to a version that supports schema version " + version + ".");
        }
        migrate(connection, version, CURRENT_VERSION);
    }

    /** Applies steps {@code from} to {@code to - 1}; tests use it to build databases of older versions. */
    static void migrate(Connection connection, int from, int to)
            throws SQLException
    {
        if (from >= to) {
            return;
        }
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try (Statement statement = connection.createStatement()) {
            for (int step = from; step < to; step++) {
                MIGRATIONS.get(step).apply(connection);
            }
            statement.execute("PRAGMA user_version = " + to);
            connection.commit();
        }
        catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        }
        finally {
            connection.setAutoCommit(autoCommit);
        }
    }

    static int version(Connection connection)
            throws SQLException
    {
        try (Statement statement = connection.createStatement(); ResultSet result = statement.executeQuery("PRAGMA user_version")) {
            return result.next() ? result.getInt(1) : 0;
        }
    }

    private static Migration sql(String script)
    {
        return connection -> {
            try (Statement statement = connection.createStatement()) {
                for (String sql : script.split(";\\s*\\n")) {
                    if (!sql.isBlank()) {
                        statement.execute(sql);
                    }
                }
            }
        };
    }

    private interface ColumnValues
    {
        void bind(PreparedStatement update, HtlcFailureRecord record)
                throws SQLException;
    }

    /** Sets columns a step adds from each row's record; {@code values} binds them, the row's created index follows. */
    private static void fillColumns(Connection connection, String assignments, ColumnValues values)
            throws SQLException
    {
        int parameters = assignments.split("\\?", -1).length - 1;
        try (Statement select = connection.createStatement();
                ResultSet rows = select.executeQuery("SELECT created_index, record FROM htlc_failures");
                PreparedStatement update = connection.prepareStatement("UPDATE htlc_failures SET " + assignments + " WHERE created_index = ?")) {
            while (rows.next()) {
                values.bind(update, Rows.decode(rows.getBytes(2), rows.getLong(1)));
                update.setLong(parameters + 1, rows.getLong(1));
                update.addBatch();
            }
            update.executeBatch();
        }
    }
}
