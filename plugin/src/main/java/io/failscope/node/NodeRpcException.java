package io.failscope.node;

/** A call to the node's RPC failed: unreachable, timed out, or answered with an error. */
public final class NodeRpcException
        extends Exception
{
    private static final long serialVersionUID = 1L;

    public NodeRpcException(String message)
    {
        super(message);
    }

    public NodeRpcException(String message, Throwable cause)
    {
        super(message, cause);
    }
}
