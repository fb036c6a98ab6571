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

    @Provides
    @Singleton
    FailureStore store(FailscopeConfig config, Clock clock)
    {
        if (config.store().url().isPresent()) {
            return PostgresFailureStore.open(config.store(), config.retention(), clock);
        }
        return SqliteFailureStore.open(config.dataDirectory(), config.store(), config.retention(), clock);
    }
}
