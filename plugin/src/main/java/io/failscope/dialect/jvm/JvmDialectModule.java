package io.failscope.dialect.jvm;

import com.google.inject.AbstractModule;
import com.google.inject.Singleton;
import io.failscope.dialect.DialectModule;
import io.failscope.dialect.HookStatus;
import io.failscope.dialect.NodeMessages;
import io.failscope.status.StatusModule;

/**
 * The JVM node dialect: the node posts {@code htlc_intercepted} (a hook: it waits for the verdict) and
 * {@code htlc_handling_failed} (an event) to the HTTP endpoint, next to the user's and operator's
 * methods.
 */
public final class JvmDialectModule
        extends AbstractModule
{
    @Override
    protected void configure()
    {
        bind(HookStatus.class).in(Singleton.class);
        DialectModule.hookListeners(binder());
        StatusModule.sections(binder()).addBinding().to(HookStatus.class);
        DialectModule.hooks(binder()).addBinding("htlc_intercepted").to(JvmHtlcIntercepted.class);
        DialectModule.events(binder()).addBinding("htlc_handling_failed").to(JvmHtlcHandlingFailed.class);
        bind(DialectModule.SERVED_OVER_HTTP).to(NodeMessages.class);
    }
}
