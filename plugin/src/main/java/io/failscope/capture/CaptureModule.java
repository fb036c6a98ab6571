package io.failscope.capture;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.failscope.rpc.RpcModule;

/** Capture of node events into records. */
public final class CaptureModule
        extends AbstractModule
{
    @Override
    protected void configure()
    {
        bind(ClnCapture.class).in(Singleton.class);
        // jvm dialect: the node posts its failures to the HTTP endpoint
        RpcModule.contribute(binder(), HtlcHandlingFailed.class);
    }

    @Provides
    @Singleton
    AcceptedHtlcs acceptedHtlcs()
    {
        return new AcceptedHtlcs(AcceptedHtlcs.DEFAULT_CAPACITY);
    }
}
