package io.failscope.store;

import io.failscope.ServiceUnavailableException;

/** The store cannot do what was asked: the database is unusable, newer than this version, or closed. */
public final class StoreException
        extends ServiceUnavailableException
{
    private static final long serialVersionUID = 1L;

    public StoreException(String message)
    {
        this(message, null);
    }

    public StoreException(String message, Throwable cause)
    {
        super("the failure store", message, cause);
    }
}
