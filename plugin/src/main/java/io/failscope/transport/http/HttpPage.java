package io.failscope.transport.http;

import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Something the HTTP endpoint serves to a {@code GET} beside {@code POST /rpc}: metrics, a page, an
 * export. Features contribute pages through a Guice multibinder ({@link HttpModule#pages}); the endpoint
 * routes by exact path, answers other methods with 405 and checks the bearer token first when one is
 * configured and the page {@link #needsToken() needs it}.
 */
public interface HttpPage
{
    /** The exact path served, starting with {@code /}; never {@code /rpc}. */
    String path();

    /**
     * Whether a configured token is required. Only content that reveals nothing about the node (the
     * dashboard's own HTML and scripts, which ask for the token themselves) may say no.
     */
    default boolean needsToken()
    {
        return true;
    }

    /**
     * Answers a {@code GET} (Jetty's handler contract: complete {@code callback} when done, also on failure).
     * It runs on one of the endpoint's few threads: work that takes long must stream or move elsewhere.
     */
    void get(Request request, Response response, Callback callback)
            throws Exception;
}
