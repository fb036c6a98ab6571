package io.failscope.rpc;

import com.google.inject.AbstractModule;
import com.google.inject.Binder;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.Multibinder;

import java.util.List;
import java.util.Set;

/** The query methods, and the dispatcher every transport calls. */
public final class RpcModule
        extends AbstractModule
{
    /** Every method failscope serves, for the manifest (known before anything is wired). */
    public static final List<RpcMethod.Info> METHODS = List.of(ListHtlcFailures.INFO, HtlcFailureStats.INFO, DelHtlcFailures.INFO);

    /** How a feature contributes a method: one multibinder for all of them. */
    public static void contribute(Binder binder, Class<? extends RpcMethod> method)
    {
        Multibinder.newSetBinder(binder, RpcMethod.class).addBinding().to(method);
    }

    @Override
    protected void configure()
    {
        contribute(binder(), ListHtlcFailures.class);
        contribute(binder(), HtlcFailureStats.class);
        contribute(binder(), DelHtlcFailures.class);
    }

    @Provides
    @Singleton
    RpcDispatcher dispatcher(Set<RpcMethod> methods)
    {
        return new RpcDispatcher(methods);
    }
}
