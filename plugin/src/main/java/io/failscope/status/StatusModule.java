package io.failscope.status;

import com.google.inject.AbstractModule;
import com.google.inject.Binder;
import com.google.inject.multibindings.Multibinder;
import io.failscope.rpc.RpcModule;

/** {@code failscope-status} and the sections features contribute to it. */
public final class StatusModule
        extends AbstractModule
{
    /** How a feature adds its section to {@code failscope-status}. */
    public static Multibinder<StatusSection> sections(Binder binder)
    {
        return Multibinder.newSetBinder(binder, StatusSection.class);
    }

    @Override
    protected void configure()
    {
        sections(binder());
        RpcModule.bind(binder(), FailscopeStatus.INFO, FailscopeStatus.class);
    }
}
