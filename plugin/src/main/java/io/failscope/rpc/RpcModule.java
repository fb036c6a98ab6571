package io.failscope.rpc;

import com.google.inject.AbstractModule;
import com.google.inject.Binder;
import com.google.inject.Singleton;
import com.google.inject.multibindings.MapBinder;

/** The query methods and the dispatcher of every user and operator method. */
public final class RpcModule
        extends AbstractModule
{
    /**
     * How a feature adds a method: once, under its {@link RpcMethod.Info}. The dispatcher serves what is
     * bound here, and Core Lightning's manifest lists it.
     */
    public static void bind(Binder binder, RpcMethod.Info info, Class<? extends RpcMethod> method)
    {
        methods(binder).addBinding(info).to(method);
    }

    public static MapBinder<RpcMethod.Info, RpcMethod> methods(Binder binder)
    {
        return MapBinder.newMapBinder(binder, RpcMethod.Info.class, RpcMethod.class);
    }

    @Override
    protected void configure()
    {
        bind(binder(), ListHtlcFailures.INFO, ListHtlcFailures.class);
        bind(binder(), HtlcFailureStats.INFO, HtlcFailureStats.class);
        bind(binder(), DelHtlcFailures.INFO, DelHtlcFailures.class);
        bind(RpcDispatcher.class).in(Singleton.class);
    }
}
