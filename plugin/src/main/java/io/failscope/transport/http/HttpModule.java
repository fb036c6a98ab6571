package io.failscope.transport.http;

import com.google.inject.AbstractModule;
import com.google.inject.Singleton;

/** The HTTP JSON-RPC endpoint. */
public final class HttpModule
        extends AbstractModule
{
    @Override
    protected void configure()
    {
        bind(HttpTransport.class).in(Singleton.class);
    }
}
