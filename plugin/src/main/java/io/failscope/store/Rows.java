package io.failscope.store;

import io.failscope.NodeId;
import io.failscope.PaymentHash;
import io.failscope.reason.FailureType;
import io.failscope.record.HtlcFailureRecord;
import io.failscope.tlv.Bytes;

import java.sql.PreparedStatement;
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


    /** The HTLC's amount: what reached us, or for our own payments what we sent. */
    static OptionalLong amountMsat(HtlcFailureRecord record)
    {
        return record.inMsat().isPresent() ? record.inMsat() : record.outMsat();
    }

    /**
     * The fee a failed forward would have earned: its fee when known, or incoming minus outgoing
     * amount. Zero for payments to or from us, and when the amounts are not known.
     */
    static long missedFeeMsat(HtlcFailureRecord record)
    {
        if (record.type() == FailureType.SEND || record.type() == FailureType.RECEIVE) {
            return 0;
        }
        if (record.feeMsat().isPresent()) {
            return record.feeMsat().getAsLong();
        }
        if (record.inMsat().isPresent() && record.outMsat().isPresent()) {
            return Math.max(0, record.inMsat().getAsLong() - record.outMsat().getAsLong());
        }
        return 0;
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
