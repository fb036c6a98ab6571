package io.failscope.dialect.cln;

import com.google.inject.AbstractModule;
import com.google.inject.Singleton;
import io.failscope.capture.CaptureModule;
import io.failscope.dialect.DialectModule;
import io.failscope.dialect.HookStatus;
import io.failscope.rpc.RpcDispatcher;
import io.failscope.status.StatusModule;

import java.util.List;

/**
 * The Core Lightning dialect: the {@code htlc_accepted} hook and the notifications failscope subscribes
 * to, each bound once under lightningd's name (the manifest lists what is bound here). Over HTTP,
 * Core Lightning's plugin serves the user's and operator's methods only: the node talks over stdio.
 */
public final class ClnDialectModule
        extends AbstractModule
{
    @Override
    protected void configure()
    {
        bind(HookStatus.class).in(Singleton.class);
        DialectModule.hookListeners(binder());
        StatusModule.sections(binder()).addBinding().to(HookStatus.class);
        bind(ClnHtlcAccepted.class).in(Singleton.class);
        DialectModule.hooks(binder()).addBinding("htlc_accepted").to(ClnHtlcAccepted.class);
        DialectModule.events(binder()).addBinding("forward_event").to(ClnEvents.ForwardEvent.class);
        DialectModule.events(binder()).addBinding("sendpay_failure").to(ClnEvents.SendpayFailure.class);
        for (String topic : List.of("channel_state_changed", "connect", "disconnect")) {
            DialectModule.events(binder()).addBinding(topic).to(ClnEvents.ContextChanged.class);
        }
        DialectModule.events(binder()).addBinding("block_added").to(ClnEvents.BlockAdded.class);
        bind(DialectModule.SERVED_OVER_HTTP).to(RpcDispatcher.class);
        // the manifest declares the topic (ClnManifest): other plugins subscribe to it
        bind(HtlcFailureRecorded.class).in(Singleton.class);
        CaptureModule.listeners(binder()).addBinding().to(HtlcFailureRecorded.class);
    }
}
