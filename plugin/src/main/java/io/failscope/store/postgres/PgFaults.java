package io.failscope.store.postgres;

import io.failscope.store.StoreException;
import io.failscope.store.StoreException.Fault;

import java.io.IOException;
import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

/**
 * Names the fault behind a PostgreSQL error, from its SQLSTATE (PostgreSQL's "Appendix A. Error
 * Codes"): the class tells whether the server is gone, full, busy or refusing, and so whether the
 * same write can succeed later.
 */
final class PgFaults
{
    private PgFaults() {}

    static StoreException storeException(String doing, SQLException e)
    {
        Fault fault = fault(e);
        return new StoreException(fault, doing + ": " + fault.description() + " (" + message(e) + ")", e);
    }

    static Fault fault(SQLException e)
    {
        String state = e.getSQLState();
        if (state == null) {
            // the pool timed out waiting for a connection, or the driver failed below SQL
            return e instanceof SQLTransientConnectionException || causedBy(e, IOException.class) ? Fault.UNREACHABLE : Fault.OTHER;
        }
        if (state.startsWith("08")) {
            // connection exception: refused, broken, or never made
            return Fault.UNREACHABLE;
        }
        return switch (state) {
            // admin_shutdown, crash_shutdown, cannot_connect_now (starting up or in recovery)
            case "57P01", "57P02", "57P03" -> Fault.UNREACHABLE;
            case "53100" -> Fault.DISK_FULL;
            // out_of_memory, too_many_connections, serialization_failure, deadlock_detected, lock_not_available, query_canceled
            case "53200", "53300", "40001", "40P01", "55P03", "57014" -> Fault.BUSY;
            case "58030" -> Fault.IO_ERROR;
            // read_only_sql_transaction (a standby, or default_transaction_read_only), insufficient_privilege
            case "25006", "42501" -> Fault.READ_ONLY;
            case "XX001", "XX002" -> Fault.CORRUPT;
            default -> Fault.OTHER;
        };
    }

    /** The driver's message, or its cause's when it has none of its own. */
    static String message(Throwable e)
    {
        String message = e.getMessage();
        if ((message == null || message.isBlank()) && e.getCause() != null) {
            return message(e.getCause());
        }
        return message == null ? e.getClass().getSimpleName() : message;
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type)
    {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (type.isInstance(cause) || cause instanceof ConnectException) {
                return true;
            }
        }
        return false;
    }
}
