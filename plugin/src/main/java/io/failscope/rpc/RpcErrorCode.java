package io.failscope.rpc;

/**
 * Every JSON-RPC error code failscope answers with: the standard ones, and failscope's own in
 * 1000–1099 (JSON-RPC leaves positive codes to applications; Core Lightning passes them through to
 * the caller of a plugin command unchanged).
 */
public enum RpcErrorCode
{
    /** The bytes are not JSON (or not one JSON value): nothing could be read, so the id is null. */
    PARSE_ERROR(-32700),
    /** JSON, but not a JSON-RPC request or notification: wrong {@code jsonrpc}, {@code id} or {@code method}, an empty batch, a batch over stdio. */
    INVALID_REQUEST(-32600),
    /** No such method, or one this node dialect does not serve (a JVM node's event under Core Lightning). */
    METHOD_NOT_FOUND(-32601),
    /** A parameter is unknown, missing, of the wrong type or out of range; {@code data.param} names it. */
    INVALID_PARAMS(-32602),
    /** Something failscope did not expect; the plugin's log has the stack trace, the answer has none. */
    INTERNAL_ERROR(-32603),
    /** The failure store cannot serve the request (for example the disk is full or the database unreadable); the message says why. */
    STORE_UNAVAILABLE(1000),
    /** The interception policy file cannot be used; {@code data.problems} lists why. */
    POLICY_INVALID(1001),
    /** Over HTTP, so many calls are waiting to be worked on that this one was not queued; try again shortly. */
    BUSY(1002);

    private final int code;

    RpcErrorCode(int code)
    {
        this.code = code;
    }

    public int code()
    {
        return code;
    }
}
