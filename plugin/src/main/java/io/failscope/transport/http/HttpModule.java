package io.failscope.transport.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.inject.AbstractModule;
import com.google.inject.Binder;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.Multibinder;
import io.failscope.rpc.MessageHandler;
import io.failscope.rpc.ServedOverHttp;

import java.util.Set;

/** The HTTP JSON-RPC endpoint, serving what the node's dialect lets come over HTTP. */
public final class HttpModule
        extends AbstractModule
{
    /** Where a feature adds what it serves to {@code GET} (metrics, dashboard, export). */
    public static Multibinder<HttpPage> pages(Binder binder)
    {
        return Multibinder.newSetBinder(binder, HttpPage.class);
    }

    @Override
    protected void configure()
    {
        pages(binder());
    }

    @Provides
    @Singleton
    HttpTransport http(HttpConfig config, @ServedOverHttp MessageHandler handler, ObjectMapper mapper, Set<HttpPage> pages)
    {
        return new HttpTransport(config, handler, mapper, pages);
    }
}
