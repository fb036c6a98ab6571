package io.failscope.store;

/**
 * Figures a status method or a metrics scrape can read at any rate: each is kept as the store goes,
 * none needs a scan of the records.
 *
 * @param records records stored now (a maintained counter, not a count of rows)
 * @param databaseBytes bytes the database takes on disk (for SQLite the file and its write-ahead log)
 * @param queueDepth records submitted and waiting for the writer
 * @param insertedSinceStart new records made durable since the store was opened
 * @param updatedSinceStart stored records updated by a richer event since the store was opened
 */
public record StoreStatus(long records, long databaseBytes, int queueDepth, long insertedSinceStart, long updatedSinceStart)
{
    public StoreStatus
    {
        checkNotNegative("records", records);
        checkNotNegative("databaseBytes", databaseBytes);
        checkNotNegative("queueDepth", queueDepth);
        checkNotNegative("insertedSinceStart", insertedSinceStart);
        checkNotNegative("updatedSinceStart", updatedSinceStart);
    }

    private static void checkNotNegative(String name, long value)
    {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must not be negative: " + value);
        }
    }
}
