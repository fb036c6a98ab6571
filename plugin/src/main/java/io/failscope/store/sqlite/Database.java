package io.failscope.store.sqlite;

import io.failscope.store.StoreConfig;
import io.failscope.store.StoreException;
import org.sqlite.SQLiteConfig;

import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/** The database file, how connections to it are made, and the pool of read connections. */
final class Database
{
    private static final System.Logger LOG = System.getLogger(Database.class.getName());
    private static final int READERS = 2;
    private static final int CACHE_KIB = 32 * 1024;

    private final Path file;
    private final BlockingQueue<Connection> readers = new ArrayBlockingQueue<>(READERS);
    private volatile boolean closed;

    interface Work<T>
    {
        T run(Connection connection)
                throws SQLException;
    }

    Database(Path file)
            throws SQLException
    {
        this.file = file;
        for (int i = 0; i < READERS; i++) {
            readers.add(connect(file, StoreConfig.Synchronous.FULL));
        }
    }

    /**
     * Creates the file if there is none yet, with incremental vacuum: pages that pruning frees can then
     * go back to the file system a batch at a time ({@code PRAGMA incremental_vacuum}) instead of staying
     * in the file. This must come before anything else is written, the switch to WAL mode included.
     */
    static void createIfMissing(Path file)
            throws SQLException
    {
        if (Files.exists(file)) {
            return;
        }
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file); Statement statement = connection.createStatement()) {
            statement.execute("PRAGMA auto_vacuum = INCREMENTAL");
            statement.execute("PRAGMA journal_mode = WAL");
        }
    }

    static Connection connect(Path file)
            throws SQLException
    {
        return connect(file, StoreConfig.Synchronous.FULL);
    }

    static Connection connect(Path file, StoreConfig.Synchronous synchronous)
            throws SQLException
    {
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        // FULL: a commit is on disk before its futures complete, even across a power loss. NORMAL (in
        // WAL mode): a commit survives a crash of the process; the disk is synced at checkpoints.
        config.setSynchronous(switch (synchronous) {
            case FULL -> SQLiteConfig.SynchronousMode.FULL;
            case NORMAL -> SQLiteConfig.SynchronousMode.NORMAL;
        });
        config.setBusyTimeout(10_000);
        // Indexes take inserts at many places: a page cache of 2 MB (SQLite's default) thrashes.
        config.setCacheSize(-CACHE_KIB);
        config.setTempStore(SQLiteConfig.TempStore.MEMORY);
        return DriverManager.getConnection("jdbc:sqlite:" + file, config.toProperties());
    }

    /**
     * Fails unless the database can be written: a schema change in a transaction that is then rolled
     * back (nothing stays). Opening a read-only file succeeds and reads work; only a write finds out, so
     * this write is made at start, where the node can still be told ({@code init} answers disable).
     */
    static void checkWritable(Connection connection, Path file)
    {
        try (Statement statement = connection.createStatement()) {
            statement.execute("BEGIN IMMEDIATE");
            try {
                statement.execute("CREATE TABLE failscope_write_check (x INTEGER)");
            }
            finally {
                statement.execute("ROLLBACK");
            }
        }
        catch (SQLException e) {
            throw Faults.exception("the database " + file + " cannot be written", e);
        }
    }

    Path file()
    {
        return file;
    }

    /** The database file and its write-ahead log, in bytes. */
    long bytesOnDisk()
    {
        return sizeOf(file) + sizeOf(Path.of(file + "-wal"));
    }

    private static long sizeOf(Path path)
    {
        try {
            return Files.size(path);
        }
        catch (Exception e) {
            // the log comes and goes with checkpoints
            return 0;
        }
    }

    /** Runs {@code work} on a read connection, waiting for one if both are busy. */
    <T> T read(Work<T> work)
    {
        if (closed) {
            throw new StoreException(StoreException.Fault.CLOSED, "the store is closed", null);
        }
        Connection connection;
        try {
            connection = readers.take();
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while waiting for a database connection", e);
        }
        try {
            return work.run(connection);
        }
        catch (SQLException e) {
            throw Faults.exception("query failed", e);
        }
        finally {
            readers.add(connection);
        }
    }

    void close()
    {
        closed = true;
        for (Connection reader : readers) {
            closeQuietly(reader);
        }
    }

    static void closeQuietly(Connection connection)
    {
        if (connection == null) {
            return;
        }
        try {
            connection.close();
        }
        catch (SQLException e) {
            LOG.log(Level.WARNING, "closing a database connection failed: " + e.getMessage());
        }
    }
}
