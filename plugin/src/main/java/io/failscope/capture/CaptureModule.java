package io.failscope.capture;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.failscope.intercept.InterceptModule;

/** Capture of failed HTLCs into records, and the record of every HTLC failscope itself failed. */
public final class CaptureModule
        extends AbstractModule
{
    @Override
    protected void configure()
    {
        bind(Capture.class).in(Singleton.class);
        bind(InterceptRecorder.class).in(Singleton.class);
        InterceptModule.listeners(binder()).addBinding().to(InterceptRecorder.class);
    }

    @Provides
    @Singleton
    SeenHtlcs seenHtlcs()
    {
        return new SeenHtlcs(SeenHtlcs.DEFAULT_CAPACITY);
    }
}
