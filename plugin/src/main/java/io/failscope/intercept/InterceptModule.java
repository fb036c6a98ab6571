package io.failscope.intercept;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.inject.AbstractModule;
import com.google.inject.Binder;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.Multibinder;
import io.failscope.config.FailscopeConfig;
import io.failscope.node.NodeContextCache;
import io.failscope.rpc.RpcModule;
import io.failscope.status.StatusModule;

import java.time.Clock;
import java.util.Set;

/** Interception: the policy, held HTLCs, and the operator's commands for them. */
public final class InterceptModule
        extends AbstractModule
{
    /** How a feature hears every decision (a record of each failure, a count of each verdict). */
    public static Multibinder<DecisionListener> listeners(Binder binder)
    {
        return Multibinder.newSetBinder(binder, DecisionListener.class);
    }

    @Override
    protected void configure()
    {
        listeners(binder());
        StatusModule.sections(binder()).addBinding().to(Interceptor.class);
        RpcModule.bind(binder(), PolicyMethods.ReloadPolicy.INFO, PolicyMethods.ReloadPolicy.class);
        RpcModule.bind(binder(), PolicyMethods.ListPolicy.INFO, PolicyMethods.ListPolicy.class);
        RpcModule.bind(binder(), HeldMethods.ListInterceptedHtlcs.INFO, HeldMethods.ListInterceptedHtlcs.class);
        RpcModule.bind(binder(), HeldMethods.FailInterceptedHtlc.INFO, HeldMethods.FailInterceptedHtlc.class);
        RpcModule.bind(binder(), HeldMethods.ResumeInterceptedHtlc.INFO, HeldMethods.ResumeInterceptedHtlc.class);
    }

    @Provides
    @Singleton
    Interceptor interceptor(FailscopeConfig config, NodeContextCache node, Clock clock, Set<DecisionListener> listeners, ObjectMapper mapper)
    {
        Interceptor interceptor = new Interceptor(config.policyFile(), config.hold(), () -> node.current().blockHeight(), clock, listeners, mapper);
        node.onBlockHeight(interceptor::blockAdded);
        return interceptor;
    }
}
