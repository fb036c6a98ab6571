package io.failscope.store;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.failscope.config.FailscopeConfig;
import io.failscope.status.StatusModule;
import io.failscope.store.sqlite.SqliteFailureStore;

import java.time.Clock;

/** The failure store, opened in the data directory. */
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
        FailureStore backend = SqliteFailureStore.open(config.dataDirectory(), config.store(), config.retention(), clock);
        return new RetryBuffer(backend, config.store().retryBuffer(), clock);
    }

    @Provides
    @Singleton
    FailureStore store(RetryBuffer buffer)
    {
        return buffer;
    }
}
