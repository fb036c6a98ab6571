package io.failscope.config;

import com.google.inject.AbstractModule;
import io.failscope.node.NodeConfig;
import io.failscope.store.RetentionConfig;
import io.failscope.transport.http.HttpConfig;

import java.time.Clock;

import static java.util.Objects.requireNonNull;

/** The configuration read at start, and the clock. */
public final class ConfigModule
        extends AbstractModule
{
    private final FailscopeConfig config;

    public ConfigModule(FailscopeConfig config)
    {
        this.config = requireNonNull(config, "config is null");
    }

    @Override
    protected void configure()
    {
        bind(FailscopeConfig.class).toInstance(config);
        bind(RetentionConfig.class).toInstance(config.retention());
        bind(HttpConfig.class).toInstance(config.http());
        bind(NodeConfig.class).toInstance(config.node());
        bind(Clock.class).toInstance(Clock.systemUTC());
    }
}
