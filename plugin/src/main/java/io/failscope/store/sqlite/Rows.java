package io.failscope.store.sqlite;

import io.failscope.NodeId;
import io.failscope.PaymentHash;
import io.failscope.record.HtlcFailureRecord;
import io.failscope.record.RecordCodec;
import io.failscope.store.StoreException;
import io.failscope.store.StoredFailure;
import io.failscope.tlv.Bytes;
import io.failscope.tlv.DecodeException;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * The columns a row derives from its record. Peers and payment hashes are indexed by their first
 * eight bytes (after the point's parity byte): a fraction of the size of the full value, and a query
 * that uses one still compares the full value from the record.
 */
final class Rows
{
    private Rows() {}

    static long peerKey(NodeId peer)
    {
        return prefix(peer.key(), 1);
    }

    static long paymentHashKey(PaymentHash hash)
    {
        return prefix(hash.hash(), 0);
    }

    private static long prefix(Bytes bytes, int offset)
    {
        long key = 0;
        for (int i = offset; i < offset + 8; i++) {
            key = (key << 8) | (bytes.get(i) & 0xFF);
        }
        return key;
    }

    static long receivedNanos(HtlcFailureRecord record)
    {
        return nanos(record.receivedTime());
    }

    /** Nanoseconds since the epoch; times before it count as the epoch. */
    static long nanos(Instant time)
    {
        if (time.isBefore(Instant.EPOCH)) {
            return 0;
        }
        return time.getEpochSecond() * 1_000_000_000L + time.getNano();
    }


    static StoredFailure storedFailure(ResultSet row)
            throws SQLException
    {
        long createdIndex = row.getLong(1);
        long updated = row.getLong(2);
        OptionalLong updatedIndex = row.wasNull() ? OptionalLong.empty() : OptionalLong.of(updated);
        return new StoredFailure(createdIndex, updatedIndex, decode(row.getBytes(3), createdIndex));
    }

    static HtlcFailureRecord decode(byte[] blob, long createdIndex)
    {
        try {
            return RecordCodec.decode(blob).record();
        }
        catch (DecodeException e) {
            throw new StoreException("record " + createdIndex + " in the database cannot be read: " + e.getMessage(), e);
        }
    }

    static OptionalInt reasonIndex(HtlcFailureRecord record)
    {
        return record.reason().map(reason -> OptionalInt.of(reason.reason().index())).orElse(OptionalInt.empty());
    }

    static void setNullableLong(PreparedStatement statement, int index, Optional<Long> value)
            throws SQLException
    {
        if (value.isPresent()) {
            statement.setLong(index, value.get());
        }
        else {
            statement.setNull(index, Types.INTEGER);
        }
    }

    static void setNullableLong(PreparedStatement statement, int index, OptionalLong value)
            throws SQLException
    {
        setNullableLong(statement, index, value.isPresent() ? Optional.of(value.getAsLong()) : Optional.empty());
    }

    static void setNullableInt(PreparedStatement statement, int index, OptionalInt value)
            throws SQLException
    {
        setNullableLong(statement, index, value.isPresent() ? Optional.of((long) value.getAsInt()) : Optional.empty());
    }
}
