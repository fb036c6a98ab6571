package io.failscope.store.sqlite;

import io.failscope.NodeId;
import io.failscope.ShortChannelId;
import io.failscope.record.HtlcFailureRecord;
import io.failscope.record.RecordCodec;
import io.failscope.record.RecordedReason;
import io.failscope.store.StoreException;
import io.failscope.tlv.BigSize;
import io.failscope.tlv.ByteReader;
import io.failscope.tlv.ByteWriter;
import io.failscope.tlv.Bytes;
import io.failscope.tlv.DecodeException;
import io.failscope.tlv.DecodeException.Kind;
import io.failscope.tlv.TlvStream;

import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.Arrays;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Storage format 2 of a record (schema 7): the fields queries filter on, sort on or would repeat in
 * every row are columns (node ids and channels as {@link Dictionary} numbers), and every other field
 * stays in {@code rest}, a TLV stream in the record's own type numbers, with evidence names replaced by
 * numbers. Reading puts the columns back as the TLV fields they came from and decodes the whole stream
 * with {@link RecordCodec}, so a record reads back equal and re-encodes to the same bytes, unknown odd
 * fields included, and a field added to the record later travels in {@code rest} with no change here.
 *
 * <p>The TLV type numbers below are the record format's ({@code docs/record-format.md}); they never
 * change meaning.
 */
final class RowCodec
{
    /** Every column a row is read from, in this order. */
    static final String COLUMNS = "created_index, updated_index, node, type, source, failcode, reason, reason_source, in_link, in_htlc_id, out_link,"
            + " in_msat, out_msat, fee_msat, payment_hash, received_ns, send_id, rest";
    /** The columns {@link #bind} sets, from {@code node} on. */
    static final int BOUND = 16;

    private static final long WIRE_CODE = 0;
    private static final long FAILURE_TYPE = 2;
    private static final long FAILURE_SOURCE = 4;
    private static final long NODE_ID = 6;
    private static final long RECEIVED_TIME = 8;
    private static final long IN_CHANNEL = 11;
    private static final long IN_HTLC_ID = 13;
    private static final long IN_MSAT = 15;
    private static final long OUT_CHANNEL = 19;
    private static final long OUT_MSAT = 21;
    private static final long FEE_MSAT = 23;
    private static final long PAYMENT_HASH = 25;
    private static final long CREATED_INDEX = 31;
    private static final long REASON = 33;
    private static final long REASON_SOURCE = 35;
    private static final long EVIDENCE = 37;
    private static final long IN_PEER = 41;
    private static final long OUT_PEER = 43;
    private static final long SEND_ID = 45;
    /** A reason field with an empty TLV tail: u16 code, u16 index, BigSize 0. */
    private static final int BARE_REASON_LENGTH = 5;

    /** Record fields the columns hold; the reason only when its tail is empty. */
    private static final Set<Long> IN_COLUMNS = Set.of(WIRE_CODE, FAILURE_TYPE, FAILURE_SOURCE, NODE_ID, RECEIVED_TIME, IN_CHANNEL, IN_HTLC_ID, IN_MSAT,
            OUT_CHANNEL, OUT_MSAT, FEE_MSAT, PAYMENT_HASH, CREATED_INDEX, REASON_SOURCE, IN_PEER, OUT_PEER, SEND_ID);

    private RowCodec() {}

    /** The dictionary numbers of a record: its node and its two links. */
    record Keys(int node, OptionalLong inLink, OptionalLong outLink) {}

    static Keys keys(HtlcFailureRecord record, Dictionary dictionary)
            throws SQLException
    {
        return new Keys(dictionary.nodeId(record.nodeId()), link(dictionary, record.inChannel(), record.inPeer()), link(dictionary, record.outChannel(), record.outPeer()));
    }

    /** Binds the columns from {@code node} to {@code rest} ({@link #BOUND} values) from {@code first} on. */
    static void bind(PreparedStatement statement, int first, HtlcFailureRecord record, Keys keys, Dictionary dictionary)
            throws SQLException
    {
        int i = first;
        statement.setInt(i++, keys.node());
        statement.setInt(i++, record.type().code());
        statement.setInt(i++, record.source().code());
        Optional<RecordedReason> reason = record.reason();
        Rows.setNullable(statement, i++, reason.isPresent() ? OptionalLong.of(reason.get().wireCode()) : OptionalLong.empty());
        Rows.setNullable(statement, i++, reason.isPresent() ? OptionalLong.of(reason.get().reason().reason().index()) : OptionalLong.empty());
        Rows.setNullable(statement, i++, reason.isPresent() ? OptionalLong.of(reason.get().source().code()) : OptionalLong.empty());
        Rows.setNullable(statement, i++, keys.inLink());
        Rows.setNullable(statement, i++, record.inHtlcId());
        Rows.setNullable(statement, i++, keys.outLink());
        Rows.setNullable(statement, i++, record.inMsat());
        Rows.setNullable(statement, i++, record.outMsat());
        Rows.setNullable(statement, i++, record.feeMsat());
        if (record.paymentHash().isPresent()) {
            statement.setBytes(i++, record.paymentHash().get().hash().toArray());
        }
        else {
            statement.setNull(i++, Types.BLOB);
        }
        statement.setLong(i++, Rows.receivedNanos(record));
        Rows.setNullable(statement, i++, record.sendId());
        byte[] rest = rest(record, dictionary);
        if (rest.length == 0) {
            statement.setNull(i, Types.BLOB);
        }
        else {
            statement.setBytes(i, rest);
        }
    }

    /**
     * The record's fields that no column holds, as a TLV stream: the record's canonical encoding with
     * the column fields cut out (walked in place: the codec's own output needs no checks).
     */
    static byte[] rest(HtlcFailureRecord record, Dictionary dictionary)
            throws SQLException
    {
        byte[] encoded = RecordCodec.encode(record).toArray();
        ByteWriter rest = new ByteWriter(64);
        int position = 0;
        while (position < encoded.length) {
            int start = position;
            long type = bigSize(encoded, position);
            position += bigSizeLength(encoded[position]);
            int length = (int) bigSize(encoded, position);
            position += bigSizeLength(encoded[position]);
            int valueStart = position;
            position += length;
            if (IN_COLUMNS.contains(type) || (type == REASON && length == BARE_REASON_LENGTH)) {
                continue;
            }
            if (type == EVIDENCE) {
                Bytes numbered = numberedEvidence(Bytes.of(Arrays.copyOfRange(encoded, valueStart, position)), dictionary);
                TlvStream.writeRecord(rest, EVIDENCE, numbered);
            }
            else {
                rest.writeBytes(encoded, start, position - start);
            }
        }
        return rest.toByteArray();
    }

    private static long bigSize(byte[] bytes, int position)
    {
        int prefix = bytes[position] & 0xFF;
        int length = bigSizeLength(bytes[position]);
        if (length == 1) {
            return prefix;
        }
        long value = 0;
        for (int i = 1; i < length; i++) {
            value = (value << 8) | (bytes[position + i] & 0xFF);
        }
        return value;
    }

    private static int bigSizeLength(byte first)
    {
        return switch (first & 0xFF) {
            case 0xFD -> 3;
            case 0xFE -> 5;
            case 0xFF -> 9;
            default -> 1;
        };
    }

    /** Reads the record of a row selected with {@link #COLUMNS}. */
    static HtlcFailureRecord read(ResultSet row, Dictionary dictionary)
            throws SQLException
    {
        long createdIndex = row.getLong(1);
        try {
            byte[] rest = row.getBytes(18);
            // the column fields in type order, merged with the rest's (already in order) as they are written
            Merger stream = new Merger(rest == null ? new byte[0] : rest, dictionary, createdIndex);
            int failcode = row.getInt(6);
            boolean reason = !row.wasNull();
            if (reason) {
                stream.field(WIRE_CODE, new ByteWriter(2).writeU16(failcode).toBytes());
            }
            stream.field(FAILURE_TYPE, new ByteWriter(1).writeU8(row.getInt(4)).toBytes());
            stream.field(FAILURE_SOURCE, new ByteWriter(1).writeU8(row.getInt(5)).toBytes());
            stream.field(NODE_ID, dictionary.node(row.getInt(3)).key());
            stream.field(RECEIVED_TIME, new ByteWriter(8).writeU64(row.getLong(16)).toBytes());
            Optional<Dictionary.Link> in = link(row, 9, dictionary);
            in.flatMap(Dictionary.Link::channel).ifPresent(channel -> stream.field(IN_CHANNEL, new ByteWriter(8).writeU64(channel.value()).toBytes()));
            truncated(stream, row, 10, IN_HTLC_ID);
            truncated(stream, row, 12, IN_MSAT);
            Optional<Dictionary.Link> out = link(row, 11, dictionary);
            out.flatMap(Dictionary.Link::channel).ifPresent(channel -> stream.field(OUT_CHANNEL, new ByteWriter(8).writeU64(channel.value()).toBytes()));
            truncated(stream, row, 13, OUT_MSAT);
            truncated(stream, row, 14, FEE_MSAT);
            byte[] hash = row.getBytes(15);
            if (hash != null) {
                stream.field(PAYMENT_HASH, Bytes.of(hash));
            }
            stream.field(CREATED_INDEX, new ByteWriter(8).writeTruncated(createdIndex).toBytes());
            if (reason) {
                // a reason whose tail is not empty is in the rest, and comes from there
                stream.fieldUnlessInRest(REASON, new ByteWriter(BARE_REASON_LENGTH).writeU16(failcode).writeU16(row.getInt(7)).writeBigSize(0).toBytes());
                stream.field(REASON_SOURCE, new ByteWriter(1).writeU8(row.getInt(8)).toBytes());
            }
            in.flatMap(Dictionary.Link::peer).ifPresent(peer -> stream.field(IN_PEER, peer.key()));
            out.flatMap(Dictionary.Link::peer).ifPresent(peer -> stream.field(OUT_PEER, peer.key()));
            truncated(stream, row, 17, SEND_ID);
            return RecordCodec.decode(stream.finish()).record();
        }
        catch (DecodeException | RuntimeException e) {
            throw new StoreException("record " + createdIndex + " in the database cannot be read: " + e.getMessage(), e);
        }
    }

    /**
     * Writes a record's TLV stream from the column fields, given in type order, and the rest's fields,
     * copied in between where their types fall.
     */
    private static final class Merger
    {
        private final byte[] rest;
        private final Dictionary dictionary;
        private final long createdIndex;
        private final ByteWriter out = new ByteWriter(256);
        private int position;

        Merger(byte[] rest, Dictionary dictionary, long createdIndex)
        {
            this.rest = rest;
            this.dictionary = dictionary;
            this.createdIndex = createdIndex;
        }

        void field(long type, Bytes value)
        {
            copyRestBefore(type);
            TlvStream.writeRecord(out, type, value);
        }

        void fieldUnlessInRest(long type, Bytes value)
        {
            copyRestBefore(type);
            if (position >= rest.length || bigSize(rest, position) != type) {
                TlvStream.writeRecord(out, type, value);
            }
        }

        byte[] finish()
        {
            copyRestBefore(Long.MAX_VALUE);
            return out.toByteArray();
        }

        /** Copies the rest's fields of types below {@code type}, naming evidence again. */
        private void copyRestBefore(long type)
        {
            while (position < rest.length) {
                long restType = bigSize(rest, position);
                if (Long.compareUnsigned(restType, type) >= 0) {
                    return;
                }
                int start = position;
                position += bigSizeLength(rest[position]);
                int length = (int) bigSize(rest, position);
                position += bigSizeLength(rest[position]);
                int valueStart = position;
                position += length;
                if (restType == EVIDENCE) {
                    try {
                        TlvStream.writeRecord(out, EVIDENCE, namedEvidence(Bytes.of(Arrays.copyOfRange(rest, valueStart, position)), dictionary, createdIndex));
                    }
                    catch (DecodeException e) {
                        throw new StoreException("record " + createdIndex + " has stored evidence that cannot be read: " + e.getMessage(), e);
                    }
                }
                else {
                    out.writeBytes(rest, start, position - start);
                }
            }
        }
    }

    private static Optional<Dictionary.Link> link(ResultSet row, int column, Dictionary dictionary)
            throws SQLException
    {
        int id = row.getInt(column);
        return row.wasNull() ? Optional.empty() : Optional.of(dictionary.link(id));
    }

    private static void truncated(Merger stream, ResultSet row, int column, long type)
            throws SQLException
    {
        long value = row.getLong(column);
        if (!row.wasNull()) {
            stream.field(type, new ByteWriter(8).writeTruncated(value).toBytes());
        }
    }

    private static OptionalLong link(Dictionary dictionary, Optional<ShortChannelId> channel, Optional<NodeId> peer)
            throws SQLException
    {
        Optional<Integer> link = dictionary.linkId(channel, peer);
        return link.isPresent() ? OptionalLong.of(link.get()) : OptionalLong.empty();
    }

    /** Evidence entries (name length, name, u64) as (name number, value length, truncated value). */
    private static Bytes numberedEvidence(Bytes evidence, Dictionary dictionary)
            throws SQLException
    {
        ByteReader reader = ByteReader.of(evidence);
        ByteWriter writer = new ByteWriter(evidence.length());
        try {
            while (reader.hasRemaining()) {
                int length = (int) BigSize.read(reader, "evidence name length");
                String name = new String(reader.readBytes(length, Kind.TRUNCATED_VALUE, "evidence name"), StandardCharsets.US_ASCII);
                long value = reader.readU64(Kind.TRUNCATED_VALUE, "evidence value");
                ByteWriter truncated = new ByteWriter(8).writeTruncated(value);
                writer.writeBigSize(dictionary.evidenceId(name)).writeU8(truncated.size()).writeBytes(truncated.toBytes());
            }
        }
        catch (DecodeException e) {
            throw new IllegalStateException("the record codec wrote evidence it cannot read: " + e.getMessage(), e);
        }
        return writer.toBytes();
    }

    private static Bytes namedEvidence(Bytes numbered, Dictionary dictionary, long createdIndex)
            throws DecodeException
    {
        ByteReader reader = ByteReader.of(numbered);
        ByteWriter writer = new ByteWriter(numbered.length() * 3);
        while (reader.hasRemaining()) {
            long id = BigSize.read(reader, "evidence name number of record " + createdIndex);
            int length = reader.readU8(Kind.TRUNCATED_VALUE, "evidence value length");
            long value = reader.readUnsigned(length, Kind.TRUNCATED_VALUE, "evidence value");
            byte[] name = dictionary.evidenceName((int) id).getBytes(StandardCharsets.US_ASCII);
            writer.writeBigSize(name.length).writeBytes(name).writeU64(value);
        }
        return writer.toBytes();
    }
}
