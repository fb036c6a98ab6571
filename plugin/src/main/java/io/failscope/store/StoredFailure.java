package io.failscope.store;

import io.failscope.record.HtlcFailureRecord;

import java.util.OptionalLong;

import static java.util.Objects.requireNonNull;

/** A record as stored: its record (with its created index) and the index of its last update, if any. */
public record StoredFailure(long createdIndex, OptionalLong updatedIndex, HtlcFailureRecord record)
{
    public StoredFailure
    {
        requireNonNull(updatedIndex, "updatedIndex is null");
        requireNonNull(record, "record is null");
    }
}
