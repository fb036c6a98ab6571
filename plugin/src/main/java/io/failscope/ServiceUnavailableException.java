package io.failscope;

import static java.util.Objects.requireNonNull;

/**
 * A part of failscope cannot do what was asked right now (the failure store: disk full, database
 * unreadable, closed). The caller gets a JSON-RPC error that names the part and the cause, never a
 * plain "internal error": there is something the operator can do about it.
 */
public class ServiceUnavailableException
        extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final String service;

    public ServiceUnavailableException(String service, String message, Throwable cause)
    {
        super(message, cause);
        this.service = requireNonNull(service, "service is null");
    }

    /** The part that is unavailable, as a person names it: "the failure store". */
    public String service()
    {
        return service;
    }
}
