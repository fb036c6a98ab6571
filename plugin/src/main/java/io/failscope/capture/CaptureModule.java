package io.failscope.capture;

import com.google.inject.AbstractModule;
import com.google.inject.Binder;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.Multibinder;
import io.failscope.intercept.InterceptModule;
import io.failscope.node.NodeContextCache;
import io.failscope.status.StatusModule;
import io.failscope.store.FailureStore;

import java.time.Clock;
import java.util.Set;

/** Capture of failed HTLCs into records, and the record of every HTLC failscope itself failed. */
public final class CaptureModule
        extends AbstractModule
{
    /** How a feature hears each record as it is first written (metrics, notifications to other plugins). */
    public static Multibinder<RecordListener> listeners(Binder binder)
    {
        return Multibinder.newSetBinder(binder, RecordListener.class);
    }

    @Override
    protected void configure()
    {
        listeners(binder());
        bind(InterceptRecorder.class).in(Singleton.class);
        StatusModule.sections(binder()).addBinding().to(Capture.class);
        InterceptModule.listeners(binder()).addBinding().to(InterceptRecorder.class);
    }

    @Provides
    @Singleton
    Capture capture(FailureStore store, NodeContextCache nodeContext, SeenHtlcs seen, Clock clock, Set<RecordListener> listeners)
    {
        return new Capture(store, nodeContext, seen, clock, Capture.DEFAULT_CAPACITY, listeners);
    }

    @Provides
    @Singleton
    SeenHtlcs seenHtlcs()
    {
        return new SeenHtlcs(SeenHtlcs.DEFAULT_CAPACITY);
    }
}
