package io.failscope.store.sqlite;

import io.failscope.NodeId;
import io.failscope.record.HtlcFailureRecord;
import io.failscope.record.RecordCodec;
import io.failscope.store.StoreException;
import io.failscope.tlv.DecodeException;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Times as stored, and what the migrations of storage format 1 need: its record blobs, and its key
 * columns (the first eight bytes of a node id after the parity byte).
 */
final class Rows
{
    private Rows() {}

    /** Format 1's key of a peer or node. */
    static long peerKey(NodeId peer)
    {
        long key = 0;
        for (int i = 1; i < 9; i++) {
            key = (key << 8) | (peer.key().get(i) & 0xFF);
        }
        return key;
    }

    static long receivedNanos(HtlcFailureRecord record)
    {
        return nanos(record.receivedTime());
    }

    static Instant instant(long nanos)
    {
        return Instant.ofEpochSecond(nanos / 1_000_000_000L, nanos % 1_000_000_000L);
    }

    /** Nanoseconds since the epoch; times before it count as the epoch. */
    static long nanos(Instant time)
    {
        if (time.isBefore(Instant.EPOCH)) {
            return 0;
        }
        return time.getEpochSecond() * 1_000_000_000L + time.getNano();
    }

    /** A record blob of storage format 1. */
    static HtlcFailureRecord decode(byte[] blob, long createdIndex)
    {
        try {
            return RecordCodec.decode(blob).record();
        }
        catch (DecodeException e) {
            throw new StoreException("record " + createdIndex + " in the database cannot be read: " + e.getMessage(), e);
        }
    }

    static void setNullable(PreparedStatement statement, int index, OptionalLong value)
            throws SQLException
    {
        if (value.isPresent()) {
            statement.setLong(index, value.getAsLong());
        }
        else {
            statement.setNull(index, Types.INTEGER);
        }
    }

    static void setNullableLong(PreparedStatement statement, int index, Optional<Long> value)
            throws SQLException
    {
        setNullable(statement, index, value.isPresent() ? OptionalLong.of(value.get()) : OptionalLong.empty());
    }
}
