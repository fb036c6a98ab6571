package io.failscope.store.postgres;

import io.failscope.NodeId;
import io.failscope.record.HtlcFailureRecord;
import io.failscope.record.RecordCodec;
import io.failscope.record.RecordedReason;
import io.failscope.store.FailureAmounts;
import io.failscope.store.StoreException;
import io.failscope.store.StoredFailure;
import io.failscope.tlv.DecodeException;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The columns of a record's row: what the filters, the identity and the totals read. The record's
 * own TLV bytes are stored beside them and are what a query returns; the columns are derived from it.
 */
record PgRow(int node, int type, int source, OptionalLong failcode, OptionalLong reason, OptionalLong inChannel, OptionalLong inHtlcId, OptionalLong outChannel,
        OptionalLong inPeer, OptionalLong outPeer, OptionalLong amountMsat, long missedFeeMsat, Optional<byte[]> paymentHash, long receivedNanos, OptionalLong sendId)
{
    /** The columns {@link #bind} sets, in order. */
    static final String COLUMNS = "node, type, source, failcode, reason, in_channel, in_htlc_id, out_channel, in_peer, out_peer, amount_msat, missed_fee_msat, payment_hash, received_ns, send_id";
    static final int COUNT = 15;
    /** What a query reads of a row to return its record. */
    static final String READ = "created_index, updated_index, record";

    /** The row of {@code record}; {@code numbers} holds the number of its node and of its peers. */
    static PgRow of(HtlcFailureRecord record, Map<NodeId, Integer> numbers)
    {
        Optional<RecordedReason> reason = record.reason();
        return new PgRow(numbers.get(record.nodeId()),
                record.type().code(),
                record.source().code(),
                reason.isPresent() ? OptionalLong.of(reason.get().wireCode()) : OptionalLong.empty(),
                reason.isPresent() ? OptionalLong.of(reason.get().reason().reason().index()) : OptionalLong.empty(),
                record.inChannel().isPresent() ? OptionalLong.of(record.inChannel().get().value()) : OptionalLong.empty(),
                record.inHtlcId(),
                record.outChannel().isPresent() ? OptionalLong.of(record.outChannel().get().value()) : OptionalLong.empty(),
                record.inPeer().isPresent() ? OptionalLong.of(numbers.get(record.inPeer().get())) : OptionalLong.empty(),
                record.outPeer().isPresent() ? OptionalLong.of(numbers.get(record.outPeer().get())) : OptionalLong.empty(),
                FailureAmounts.amountMsat(record),
                FailureAmounts.missedFeeMsat(record),
                record.paymentHash().map(hash -> hash.hash().toArray()),
                nanos(record.receivedTime()),
                record.sendId());
    }

    void bind(PreparedStatement statement, int first)
            throws SQLException
    {
        int i = first;
        statement.setInt(i++, node);
        statement.setShort(i++, (short) type);
        statement.setShort(i++, (short) source);
        setNullable(statement, i++, failcode, Types.INTEGER);
        setNullable(statement, i++, reason, Types.INTEGER);
        setNullable(statement, i++, inChannel, Types.BIGINT);
        setNullable(statement, i++, inHtlcId, Types.BIGINT);
        setNullable(statement, i++, outChannel, Types.BIGINT);
        setNullable(statement, i++, inPeer, Types.INTEGER);
        setNullable(statement, i++, outPeer, Types.INTEGER);
        setNullable(statement, i++, amountMsat, Types.BIGINT);
        statement.setLong(i++, missedFeeMsat);
        if (paymentHash.isPresent()) {
            statement.setBytes(i++, paymentHash.get());
        }
        else {
            statement.setNull(i++, Types.BINARY);
        }
        statement.setLong(i++, receivedNanos);
        setNullable(statement, i, sendId, Types.BIGINT);
    }

    /** The record's bytes as stored. */
    static byte[] encode(HtlcFailureRecord record)
    {
        return RecordCodec.encode(record).toArray();
    }

    /** A row read with {@link #READ}, from {@code first} on. */
    static StoredFailure read(ResultSet row, int first)
            throws SQLException
    {
        long createdIndex = row.getLong(first);
        long updated = row.getLong(first + 1);
        OptionalLong updatedIndex = row.wasNull() ? OptionalLong.empty() : OptionalLong.of(updated);
        return new StoredFailure(createdIndex, updatedIndex, decode(row.getBytes(first + 2), createdIndex));
    }

    static HtlcFailureRecord decode(byte[] bytes, long createdIndex)
    {
        try {
            return RecordCodec.decode(bytes).record();
        }
        catch (DecodeException e) {
            throw new StoreException(StoreException.Fault.CORRUPT, "record " + createdIndex + " in the database cannot be read: " + e.getMessage(), e);
        }
    }

    /** Nanoseconds since the epoch; times before it count as the epoch. */
    static long nanos(Instant time)
    {
        if (time.isBefore(Instant.EPOCH)) {
            return 0;
        }
        return time.getEpochSecond() * 1_000_000_000L + time.getNano();
    }

    static Instant instant(long nanos)
    {
        return Instant.ofEpochSecond(nanos / 1_000_000_000L, nanos % 1_000_000_000L);
    }

    private static void setNullable(PreparedStatement statement, int index, OptionalLong value, int sqlType)
            throws SQLException
    {
        if (value.isEmpty()) {
            statement.setNull(index, sqlType);
        }
        else if (sqlType == Types.INTEGER) {
            statement.setInt(index, (int) value.getAsLong());
        }
        else {
            statement.setLong(index, value.getAsLong());
        }
    }
}
