package io.failscope.transport.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.failscope.rpc.MessageHandler;
import io.failscope.rpc.ServedOverHttp;

/** The HTTP JSON-RPC endpoint, serving what the node's dialect lets come over HTTP. */
public final class HttpModule
        extends AbstractModule
{
    @Provides
    @Singleton
    HttpTransport http(HttpConfig config, @ServedOverHttp MessageHandler handler, ObjectMapper mapper)
    {
        return new HttpTransport(config, handler, mapper);
    }
}
