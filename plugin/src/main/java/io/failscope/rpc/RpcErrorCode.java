package io.failscope.rpc;

/**
 * JSON-RPC error codes: the standard ones, and failscope's own in 1000–1099 (JSON-RPC leaves
 * positive codes to applications; Core Lightning passes them through to the caller).
 */
public enum RpcErrorCode
{
    PARSE_ERROR(-32700),
    INVALID_REQUEST(-32600),
    METHOD_NOT_FOUND(-32601),
    INVALID_PARAMS(-32602),
    INTERNAL_ERROR(-32603),
    /** The failure store cannot serve the request (for example the disk is full or the database unreadable). */
    STORE_UNAVAILABLE(1000),
    /** The interception policy file cannot be used; {@code data.problems} lists why. */
    POLICY_INVALID(1001);

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
