package io.failscope.store;

import io.failscope.ServiceUnavailableException;

import static java.util.Objects.requireNonNull;

/**
 * The store cannot do what was asked: the database is unusable, newer than this version, or closed.
 * Its {@link #fault()} says why in terms an operator acts on, and whether trying again later can work.
 */
public final class StoreException
        extends ServiceUnavailableException
{
    private static final long serialVersionUID = 1L;

    /** Why a store operation failed, as an operator would name it. */
    public enum Fault
    {
        DISK_FULL("disk full", true),
        READ_ONLY("the database cannot be written (read-only file or directory, or permissions)", true),
        IO_ERROR("I/O error", true),
        UNREACHABLE("the database server cannot be reached", true),
        BUSY("the database is locked by another process", true),
        CLOSED("the store is closed", false),
        INCOMPATIBLE("the database was written by a newer failscope or is not a failscope database", false),
        CORRUPT("the database is corrupt", false),
        OTHER("unexpected database error", false);

        private final String description;
        private final boolean retryable;

        Fault(String description, boolean retryable)
        {
            this.description = description;
            this.retryable = retryable;
        }

        /** The cause as the status method and the log name it. */
        public String description()
        {
            return description;
        }

        /** Whether the same write can succeed later without the operator changing failscope (space freed, server back). */
        public boolean retryable()
        {
            return retryable;
        }
    }

    private final Fault fault;

    public StoreException(String message)
    {
        this(message, null);
    }

    public StoreException(String message, Throwable cause)
    {
        this(Fault.OTHER, message, cause);
    }

    public StoreException(Fault fault, String message, Throwable cause)
    {
        super("the failure store", message, cause);
        this.fault = requireNonNull(fault, "fault is null");
    }

    public Fault fault()
    {
        return fault;
    }
}
