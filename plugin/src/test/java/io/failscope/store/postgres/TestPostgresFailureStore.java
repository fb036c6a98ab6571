package io.failscope.store.postgres;

import io.failscope.store.FailureStore;
import io.failscope.store.FailureStoreContract;
import io.failscope.store.RetentionConfig;
import io.failscope.store.StatsGrouping;
import io.failscope.store.StoreConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;

import java.time.Clock;
import java.util.List;
import java.util.Optional;

/** The store contract on PostgreSQL, each test in a schema of its own. */
final class TestPostgresFailureStore
        extends FailureStoreContract
{
    private PostgresUrl url;

    @BeforeEach
    void createSchema(TestInfo test)
    {
        url = PostgresTestDatabase.newSchema(test.getTestMethod().map(method -> method.getName().substring(0, Math.min(20, method.getName().length()))).orElse("contract"));
    }

    @AfterEach
    void dropSchema()
    {
        if (url != null) {
            PostgresTestDatabase.drop(url);
        }
    }

    @Override
    protected FailureStore open(RetentionConfig retention, Clock clock)
    {
        return PostgresFailureStore.open(StoreConfig.DEFAULT.withUrl(url, Optional.empty()), retention, clock);
    }

    /** PostgreSQL keeps every grouping in its totals. */
    @Override
    protected List<StatsGrouping> splittableGroupings()
    {
        return List.of(StatsGrouping.values());
    }
}
