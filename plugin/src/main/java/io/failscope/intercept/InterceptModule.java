package io.failscope.intercept;

import com.google.inject.AbstractModule;
import com.google.inject.Singleton;
import io.failscope.rpc.RpcMethod;
import io.failscope.rpc.RpcModule;

import java.util.List;

/** Interception: the policy and the operator's commands for it. */
public final class InterceptModule
        extends AbstractModule
{
    /** The commands this feature adds to the manifest. */
    public static final List<RpcMethod.Info> METHODS = List.of(PolicyMethods.ReloadPolicy.INFO, PolicyMethods.ListPolicy.INFO,
            HeldMethods.ListInterceptedHtlcs.INFO, HeldMethods.FailInterceptedHtlc.INFO, HeldMethods.ResumeInterceptedHtlc.INFO);

    @Override
    protected void configure()
    {
        bind(Interceptor.class).in(Singleton.class);
        RpcModule.contribute(binder(), PolicyMethods.ReloadPolicy.class);
        RpcModule.contribute(binder(), PolicyMethods.ListPolicy.class);
        RpcModule.contribute(binder(), HeldMethods.ListInterceptedHtlcs.class);
        RpcModule.contribute(binder(), HeldMethods.FailInterceptedHtlc.class);
        RpcModule.contribute(binder(), HeldMethods.ResumeInterceptedHtlc.class);
        // jvm dialect: the node asks over HTTP (not a Core Lightning command)
        RpcModule.contribute(binder(), HtlcIntercepted.class);
    }
}
