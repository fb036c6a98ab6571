package io.failscope.store.postgres;

import io.failscope.store.StoreException;

import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The PostgreSQL schema and its versioned migrations. Several plugins may start at once against one
 * database: each takes the same session-level advisory lock (PostgreSQL "Advisory Locks") before it
 * reads the version, so exactly one applies a step and the others find it applied.
 *
 * <p>One row per record in {@code failures}: the record's TLV bytes (the interchange, read back
 * equal) and the columns the filters use, each filter's index ending in the created index so a page
 * is an ordered index scan. Node ids are numbers from {@code nodes}. {@code totals} holds each
 * record once per dimension under its node and day (statistics read it, and it outlives retention);
 * {@code time_blocks} turns a time range into bounds on the created index; {@code in_flight} holds
 * the index ranges handed out to transactions not yet committed (see {@link PgWriter}).
 */
final class PgSchema
{
    private static final System.Logger LOG = System.getLogger(PgSchema.class.getName());
    /** The advisory lock key that migrations take: "failscop" in ASCII. */
    static final long MIGRATION_LOCK = 0x6661696c73636f70L;
    /** Created indexes per time block. */
    static final int BLOCK_SHIFT = 12;

    private static final List<String> MIGRATIONS = List.of(
            // 1: the fleet store
            """
            CREATE TABLE nodes (
                id SERIAL PRIMARY KEY,
                key BYTEA NOT NULL UNIQUE
            );
            CREATE TABLE counters (
                name TEXT PRIMARY KEY,
                value BIGINT NOT NULL
            );
            INSERT INTO counters (name, value) VALUES ('created_index', 0), ('updated_index', 0);
            CREATE TABLE in_flight (
                pid INTEGER NOT NULL,
                backend_start TIMESTAMPTZ NOT NULL,
                created_low BIGINT NOT NULL,
                updated_low BIGINT NOT NULL,
                PRIMARY KEY (pid, backend_start)
            );
            CREATE TABLE failures (
                created_index BIGINT PRIMARY KEY,
                updated_index BIGINT,
                node INTEGER NOT NULL,
                type SMALLINT NOT NULL,
                source SMALLINT NOT NULL,
                failcode INTEGER,
                reason INTEGER,
                in_channel BIGINT,
                in_htlc_id BIGINT,
                out_channel BIGINT,
                in_peer INTEGER,
                out_peer INTEGER,
                amount_msat BIGINT,
                missed_fee_msat BIGINT NOT NULL,
                payment_hash BYTEA,
                received_ns BIGINT NOT NULL,
                send_id BIGINT,
                record BYTEA NOT NULL
            );
            CREATE UNIQUE INDEX failures_identity ON failures (node, in_channel, in_htlc_id, type) WHERE in_htlc_id IS NOT NULL AND in_channel IS NOT NULL;
            CREATE UNIQUE INDEX failures_send ON failures (node, send_id, type) WHERE send_id IS NOT NULL;
            CREATE INDEX failures_node ON failures (node, created_index);
            CREATE INDEX failures_in_channel ON failures (in_channel, created_index) WHERE in_channel IS NOT NULL;
            CREATE INDEX failures_out_channel ON failures (out_channel, created_index) WHERE out_channel IS NOT NULL;
            CREATE INDEX failures_in_peer ON failures (in_peer, created_index) WHERE in_peer IS NOT NULL;
            CREATE INDEX failures_out_peer ON failures (out_peer, created_index) WHERE out_peer IS NOT NULL;
            CREATE INDEX failures_reason ON failures (reason, created_index) WHERE reason IS NOT NULL;
            CREATE INDEX failures_failcode ON failures (failcode, created_index) WHERE failcode IS NOT NULL;
            CREATE INDEX failures_kind ON failures (type, source, created_index);
            CREATE INDEX failures_payment_hash ON failures (payment_hash) WHERE payment_hash IS NOT NULL;
            CREATE INDEX failures_updated ON failures (updated_index) WHERE updated_index IS NOT NULL;
            CREATE TABLE node_records (
                node INTEGER PRIMARY KEY,
                records BIGINT NOT NULL
            );
            CREATE TABLE totals (
                node INTEGER NOT NULL,
                dim SMALLINT NOT NULL,
                day BIGINT NOT NULL,
                key BIGINT NOT NULL,
                count BIGINT NOT NULL,
                amount_msat NUMERIC NOT NULL,
                missed_fee_msat NUMERIC NOT NULL,
                PRIMARY KEY (node, dim, day, key)
            );
            CREATE TABLE time_blocks (
                node INTEGER NOT NULL,
                block BIGINT NOT NULL,
                min_received_ns BIGINT NOT NULL,
                max_received_ns BIGINT NOT NULL,
                PRIMARY KEY (node, block)
            )
            """);

    static final int CURRENT_VERSION = MIGRATIONS.size();

    private PgSchema() {}

    /** Brings the database to {@link #CURRENT_VERSION} under the migration lock, or refuses one from a newer failscope. */
    static void migrate(Connection connection, String databaseName)
            throws SQLException
    {
        try (Statement statement = connection.createStatement()) {
            statement.execute("SELECT pg_advisory_lock(" + MIGRATION_LOCK + ")");
            try {
                connection.setAutoCommit(false);
                statement.execute("CREATE TABLE IF NOT EXISTS failscope_schema (version INTEGER NOT NULL)");
                int version;
                try (ResultSet row = statement.executeQuery("SELECT version FROM failscope_schema")) {
                    version = row.next() ? row.getInt(1) : 0;
                }
                if (version > CURRENT_VERSION) {
                    connection.rollback();
                    throw new StoreException(StoreException.Fault.INCOMPATIBLE, "database " + databaseName + " has failscope schema version " + version
                            + ", written by a newer failscope; this version reads schema versions up to " + CURRENT_VERSION
                            + ". Upgrade failscope on every node that uses this database.", null);
                }
                for (int step = version; step < CURRENT_VERSION; step++) {
                    for (String sql : MIGRATIONS.get(step).split(";\\s*\\n")) {
                        if (!sql.isBlank()) {
                            statement.execute(sql);
                        }
                    }
                }
                if (version < CURRENT_VERSION) {
                    statement.execute("DELETE FROM failscope_schema");
                    statement.execute("INSERT INTO failscope_schema (version) VALUES (" + CURRENT_VERSION + ")");
                    LOG.log(Level.INFO, "database " + databaseName + ": failscope schema version " + version + " -> " + CURRENT_VERSION);
                }
                connection.commit();
            }
            catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
            finally {
                connection.setAutoCommit(true);
                statement.execute("SELECT pg_advisory_unlock(" + MIGRATION_LOCK + ")");
            }
        }
    }
}
