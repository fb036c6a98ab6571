package io.failscope.node;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.failscope.status.StatusModule;

import java.time.Clock;

/** The node context cache, on the node's RPC client (which the dialect's start binds). */
public final class NodeModule
        extends AbstractModule
{
    @Override
    protected void configure()
    {
        StatusModule.sections(binder()).addBinding().to(NodeContextCache.class);
    }

    @Provides
    @Singleton
    NodeContextCache cache(NodeRpcClient client, NodeConfig config, Clock clock)
    {
        return new NodeContextCache(client, config.refreshInterval(), clock);
    }
}
