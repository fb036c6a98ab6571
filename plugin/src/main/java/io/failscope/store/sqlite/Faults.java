package io.failscope.store.sqlite;

import io.failscope.store.StoreException;
import io.failscope.store.StoreException.Fault;
import org.sqlite.SQLiteException;

/**
 * Names the cause of a SQLite failure as an operator would ({@link Fault}), from the result code
 * sqlite-jdbc carries ({@code SQLiteException.getResultCode()}). Extended codes (SQLITE_IOERR_WRITE,
 * SQLITE_READONLY_DBMOVED, ...) share their primary code's low byte, so the low byte decides.
 */
final class Faults
{
    // SQLite's primary result codes (sqlite3.h, "Result Codes")
    private static final int SQLITE_PERM = 3;
    private static final int SQLITE_BUSY = 5;
    private static final int SQLITE_LOCKED = 6;
    private static final int SQLITE_READONLY = 8;
    private static final int SQLITE_IOERR = 10;
    private static final int SQLITE_CORRUPT = 11;
    private static final int SQLITE_FULL = 13;
    private static final int SQLITE_CANTOPEN = 14;
    private static final int SQLITE_NOTADB = 26;

    private Faults() {}

    /** The fault behind {@code failure}: the first SQLite result code in its causes, or {@link Fault#OTHER}. */
    static Fault of(Throwable failure)
    {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof StoreException storeException && storeException.fault() != Fault.OTHER) {
                return storeException.fault();
            }
            if (cause instanceof SQLiteException sqlite) {
                return of(sqlite.getResultCode().code);
            }
        }
        return Fault.OTHER;
    }

    static Fault of(int resultCode)
    {
        return switch (resultCode & 0xff) {
            case SQLITE_FULL -> Fault.DISK_FULL;
            case SQLITE_READONLY, SQLITE_PERM -> Fault.READ_ONLY;
            case SQLITE_IOERR, SQLITE_CANTOPEN -> Fault.IO_ERROR;
            case SQLITE_BUSY, SQLITE_LOCKED -> Fault.BUSY;
            case SQLITE_CORRUPT, SQLITE_NOTADB -> Fault.CORRUPT;
            default -> Fault.OTHER;
        };
    }

    /**
     * A {@link StoreException} for {@code failure} whose message starts with {@code what} and names
     * the cause first ({@code "could not store the record: disk full (...)"}); a StoreException that
     * already names its fault is kept as it is.
     */
    static StoreException exception(String what, Throwable failure)
    {
        Fault fault = of(failure);
        if (failure instanceof StoreException storeException && (storeException.fault() != Fault.OTHER || fault == Fault.OTHER)) {
            return storeException;
        }
        String detail = failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
        String message = fault == Fault.OTHER ? what + ": " + detail : what + ": " + fault.description() + " (" + detail + ")";
        return new StoreException(fault, message, failure);
    }
}
