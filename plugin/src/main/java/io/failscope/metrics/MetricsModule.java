package io.failscope.metrics;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.failscope.capture.Capture;
import io.failscope.capture.CaptureModule;
import io.failscope.config.FailscopeConfig;
import io.failscope.dialect.DialectModule;
import io.failscope.dialect.HookStatus;
import io.failscope.intercept.InterceptModule;
import io.failscope.intercept.Interceptor;
import io.failscope.node.NodeContextCache;
import io.failscope.store.FailureStore;
import io.failscope.transport.http.HttpModule;
import jakarta.inject.Provider;

import java.time.Clock;

/** Prometheus metrics at {@code GET /metrics} of the HTTP endpoint, fed by the features' listeners. */
public final class MetricsModule
        extends AbstractModule
{
    @Override
    protected void configure()
    {
        CaptureModule.listeners(binder()).addBinding().to(FailscopeMetrics.class);
        InterceptModule.listeners(binder()).addBinding().to(FailscopeMetrics.class);
        DialectModule.hookListeners(binder()).addBinding().to(FailscopeMetrics.class);
        HttpModule.pages(binder()).addBinding().to(MetricsPage.class);
    }

    @Provides
    @Singleton
    FailscopeMetrics metrics(FailscopeConfig config, Clock clock, FailureStore store, Provider<Capture> capture, Provider<Interceptor> interceptor, Provider<HookStatus> hooks, NodeContextCache nodeContext)
    {
        // these three hear the metrics as listeners, so they are looked up when a scrape reads them
        return new FailscopeMetrics(config.metrics(), clock, store, capture::get, interceptor::get, hooks::get, nodeContext);
    }
}
