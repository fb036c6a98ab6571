package io.failscope.store.postgres;

import org.junit.jupiter.api.Assumptions;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The PostgreSQL server the tests use, named by {@code FAILSCOPE_TEST_POSTGRES_URL} (a store.url,
 * its password from PGPASSFILE or ~/.pgpass); each test gets a schema of its own in that database.
 * Without the variable the PostgreSQL tests are skipped, saying so once.
 */
public final class PostgresTestDatabase
{
    public static final String VARIABLE = "FAILSCOPE_TEST_POSTGRES_URL";
    public static final String SKIP_LINE = "PostgreSQL tests skipped: set " + VARIABLE + "=postgresql://user@localhost:5432/database (password in PGPASSFILE) to run them; .ci/run does";
    private static final AtomicBoolean SKIP_SAID = new AtomicBoolean();
    private static final AtomicInteger SCHEMAS = new AtomicInteger();

    private PostgresTestDatabase() {}

    /** The server's URL; skips the calling test when none is configured. */
    public static PostgresUrl url()
    {
        Optional<String> text = Optional.ofNullable(System.getenv(VARIABLE)).filter(value -> !value.isBlank());
        if (text.isEmpty() && SKIP_SAID.compareAndSet(false, true)) {
            System.out.println(SKIP_LINE);
        }
        Assumptions.assumeTrue(text.isPresent(), SKIP_LINE);
        return PostgresUrl.parse(text.get());
    }

    /** A new, empty schema in the test database, and the URL that stores in it. */
    public static PostgresUrl newSchema(String name)
    {
        PostgresUrl url = url();
        String schema = ("t_" + name + "_" + ProcessHandle.current().pid() + "_" + SCHEMAS.incrementAndGet() + "_" + System.nanoTime() % 100_000).toLowerCase(Locale.ROOT);
        execute(url, "DROP SCHEMA IF EXISTS " + schema + " CASCADE", "CREATE SCHEMA " + schema);
        Map<String, String> parameters = new LinkedHashMap<>(url.parameters());
        parameters.put("currentSchema", schema);
        return new PostgresUrl(url.user(), url.host(), url.port(), url.database(), parameters);
    }

    /** Drops a schema {@link #newSchema} made. */
    public static void drop(PostgresUrl url)
    {
        url.parameter("currentSchema").ifPresent(schema -> execute(url, "DROP SCHEMA IF EXISTS " + schema + " CASCADE"));
    }

    /** Runs statements on a connection of its own. */
    public static void execute(PostgresUrl url, String... sql)
    {
        try (Connection connection = connect(url); Statement statement = connection.createStatement()) {
            for (String one : sql) {
                statement.execute(one);
            }
        }
        catch (SQLException e) {
            throw new IllegalStateException("test database: " + e.getMessage(), e);
        }
    }

    public static Connection connect(PostgresUrl url)
            throws SQLException
    {
        Properties properties = new Properties();
        properties.setProperty("user", url.user());
        url.parameters().forEach(properties::setProperty);
        return DriverManager.getConnection(url.jdbcUrl(), properties);
    }
}
