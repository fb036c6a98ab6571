package io.failscope.dashboard;

import io.failscope.transport.http.HttpPage;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

import static java.util.Objects.requireNonNull;

/**
 * One of the dashboard's own files (HTML, script, style, the chart library from its webjar), read once
 * from the plugin's jar. It reveals nothing about the node, so it is served without the token: the page
 * asks for the token and sends it with each JSON-RPC call.
 */
final class StaticPage
        implements HttpPage
{
    private final String path;
    private final String contentType;
    private final byte[] body;

    /** {@code resource} is an absolute classpath name; a missing one is a packaging mistake, found at start. */
    StaticPage(String path, String resource, String contentType)
    {
        this.path = requireNonNull(path, "path is null");
        this.contentType = requireNonNull(contentType, "contentType is null");
        try (InputStream in = StaticPage.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("the dashboard file " + resource + " is missing from the plugin's jar");
            }
            this.body = in.readAllBytes();
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot read the dashboard file " + resource, e);
        }
    }

    @Override
    public String path()
    {
        return path;
    }

    @Override
    public boolean needsToken()
    {
        return false;
    }

    @Override
    public void get(Request request, Response response, Callback callback)
    {
        response.setStatus(HttpStatus.OK_200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
        // the page runs only its own scripts and talks only to this endpoint
        response.getHeaders().put("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'");
        response.getHeaders().put("X-Content-Type-Options", "nosniff");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, (long) body.length);
        response.write(true, request.getMethod().equals("HEAD") ? ByteBuffer.allocate(0) : ByteBuffer.wrap(body), callback);
    }
}
