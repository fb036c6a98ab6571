package io.failscope.capture;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.failscope.intercept.InterceptModule;
import io.failscope.node.NodeContextCache;
import io.failscope.status.StatusModule;
import io.failscope.store.FailureStore;

import java.time.Clock;

/** Capture of failed HTLCs into records, and the record of every HTLC failscope itself failed. */
public final class CaptureModule
        extends AbstractModule
{
    @Override
    protected void configure()
    {
        bind(InterceptRecorder.class).in(Singleton.class);
        StatusModule.sections(binder()).addBinding().to(Capture.class);
        InterceptModule.listeners(binder()).addBinding().to(InterceptRecorder.class);
    }

    @Provides
    @Singleton
    Capture capture(FailureStore store, NodeContextCache nodeContext, SeenHtlcs seen, Clock clock)
    {
        return new Capture(store, nodeContext, seen, clock, Capture.DEFAULT_CAPACITY);
    }

    @Provides
    @Singleton
    SeenHtlcs seenHtlcs()
    {
        return new SeenHtlcs(SeenHtlcs.DEFAULT_CAPACITY);
    }
}
