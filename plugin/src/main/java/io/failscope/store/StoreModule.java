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

    @Provides
    @Singleton
    FailureStore store(FailscopeConfig config, Clock clock)
    {
        return SqliteFailureStore.open(config.dataDirectory(), config.store(), config.retention(), clock);
    }
}
