package io.failscope.store;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.failscope.config.FailscopeConfig;
import io.failscope.status.StatusModule;
import io.failscope.store.postgres.PostgresFailureStore;
import io.failscope.store.sqlite.SqliteFailureStore;

import java.time.Clock;

/** The failure store: the SQLite file in the data directory, or the fleet's PostgreSQL database when {@code store.url} is set. */
public final class StoreModule
        extends AbstractModule
{
    @Override
    protected void configure()
    {
        StatusModule.sections(binder()).addBinding().to(StoreStatusSection.class);
    }

    /** The backend behind a retry buffer, so that any backend's records wait while it cannot write. */
    @Provides
    @Singleton
    RetryBuffer retryBuffer(FailscopeConfig config, Clock clock)
    {
        FailureStore backend = config.store().url().isPresent()
                ? PostgresFailureStore.open(config.store(), config.retention(), clock)
                : SqliteFailureStore.open(config.dataDirectory(), config.store(), config.retention(), clock);
        return new RetryBuffer(backend, config.store().retryBuffer(), clock);
    }

    @Provides
    @Singleton
    FailureStore store(RetryBuffer buffer)
    {
        return buffer;
    }
}
