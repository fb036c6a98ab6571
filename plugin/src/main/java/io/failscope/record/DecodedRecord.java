package io.failscope.record;

import static java.util.Objects.requireNonNull;

/** A record read from storage, with the format version it was written in. */
public record DecodedRecord(HtlcFailureRecord record, RecordFormat format)
{
    public DecodedRecord
    {
        requireNonNull(record, "record is null");
        requireNonNull(format, "format is null");
    }
}
