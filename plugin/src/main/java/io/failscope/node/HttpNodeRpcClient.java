package io.failscope.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.googlecode.jsonrpc4j.JsonRpcHttpClient;
import io.failscope.json.Json;

import java.net.MalformedURLException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

/** A JVM node's HTTP JSON-RPC (jvm dialect), through jsonrpc4j's HTTP client. */
public final class HttpNodeRpcClient
        implements NodeRpcClient
{
    private final JsonRpcHttpClient client;
    private final URI url;

    public HttpNodeRpcClient(URI url, Duration timeout, ObjectMapper mapper)
    {
        this.url = url;
        try {
            this.client = new JsonRpcHttpClient(mapper, url.toURL(), Map.of());
        }
        catch (MalformedURLException e) {
            throw new IllegalArgumentException("not a URL: " + url, e);
        }
        client.setConnectionTimeoutMillis((int) timeout.toMillis());
        client.setReadTimeoutMillis((int) timeout.toMillis());
    }

    @Override
    public JsonNode call(String method, JsonNode params)
            throws NodeRpcException
    {
        try {
            return client.invoke(method, params == null ? Json.object() : params, JsonNode.class);
        }
        catch (Error e) {
            throw e;
        }
        catch (Throwable e) {
            // jsonrpc4j declares Throwable: an error response, an I/O failure or a timeout
            throw new NodeRpcException(method + " on " + url + " failed: " + e.getMessage(), e);
        }
    }
}
