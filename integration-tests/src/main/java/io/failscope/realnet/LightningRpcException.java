package io.failscope.realnet;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;

import static java.util.Objects.requireNonNull;

/** lightningd answered a call with a JSON-RPC error: its code, message and data, as it sent them. */
public final class LightningRpcException
        extends IOException
{
    private final JsonNode error;

    public LightningRpcException(String method, JsonNode error)
    {
        super(method + ": " + error);
        this.error = requireNonNull(error, "error is null");
    }

    /** The error's {@code data}, a missing node when it had none. */
    public JsonNode data()
    {
        return error.path("data");
    }
}
