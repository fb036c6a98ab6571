package io.failscope.store;

/** The store cannot do what was asked: the database is unusable, newer than this version, or closed. */
public final class StoreException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    public StoreException(String message)
    {
        super(message);
    }

    public StoreException(String message, Throwable cause)
    {
        super(message, cause);
    }
}
