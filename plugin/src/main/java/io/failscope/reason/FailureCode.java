package io.failscope.reason;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.failscope.reason.DataField.bigSize;
import static io.failscope.reason.DataField.channelUpdate;
import static io.failscope.reason.DataField.sha256;
import static io.failscope.reason.DataField.u16;
import static io.failscope.reason.DataField.u32;
import static io.failscope.reason.DataField.u64;

/**
 * Every BOLT #4 failure code, current and removed, with its data layout
 * ({@code bolt04-failure-codes.csv}; removal history in {@code bolt-notes.md}).
 *
 * <p>Two entries share 0x400f: {@link #UNKNOWN_PAYMENT_HASH} is the removed name (with no data) of
 * {@link #INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS}, so a code alone maps to the current entry.
 */
public enum FailureCode
{
    TEMPORARY_NODE_FAILURE(0x2002, Status.CURRENT),
    PERMANENT_NODE_FAILURE(0x6002, Status.CURRENT),
    REQUIRED_NODE_FEATURE_MISSING(0x6003, Status.CURRENT),
    INVALID_ONION_VERSION(0xC004, Status.CURRENT, sha256("sha256_of_onion")),
    INVALID_ONION_HMAC(0xC005, Status.CURRENT, sha256("sha256_of_onion")),
    INVALID_ONION_KEY(0xC006, Status.CURRENT, sha256("sha256_of_onion")),
    TEMPORARY_CHANNEL_FAILURE(0x1007, Status.CURRENT, channelUpdate()),
    PERMANENT_CHANNEL_FAILURE(0x4008, Status.CURRENT),
    REQUIRED_CHANNEL_FEATURE_MISSING(0x4009, Status.CURRENT),
    UNKNOWN_NEXT_PEER(0x400A, Status.CURRENT),
    AMOUNT_BELOW_MINIMUM(0x100B, Status.CURRENT, u64("htlc_msat"), channelUpdate()),
    FEE_INSUFFICIENT(0x100C, Status.CURRENT, u64("htlc_msat"), channelUpdate()),
    INCORRECT_CLTV_EXPIRY(0x100D, Status.CURRENT, u32("cltv_expiry"), channelUpdate()),
    EXPIRY_TOO_SOON(0x100E, Status.CURRENT, channelUpdate()),
    INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS(0x400F, Status.CURRENT, u64("htlc_msat"), u32("height")),
    FINAL_INCORRECT_CLTV_EXPIRY(0x0012, Status.CURRENT, u32("cltv_expiry")),
    FINAL_INCORRECT_HTLC_AMOUNT(0x0013, Status.CURRENT, u64("incoming_htlc_amt")),
    CHANNEL_DISABLED(0x1014, Status.CURRENT, u16("disabled_flags"), channelUpdate()),
    EXPIRY_TOO_FAR(0x0015, Status.CURRENT),
    /** Its data (type and offset) is optional: LDK and others send the bare code too. */
    INVALID_ONION_PAYLOAD(0x4016, Status.CURRENT, bigSize("type"), u16("offset")),
    MPP_TIMEOUT(0x0017, Status.CURRENT),
    INVALID_ONION_BLINDING(0xC018, Status.CURRENT, sha256("sha256_of_onion")),
    /** Trampoline codes: BOLTs PR 836, not BOLT #4 master ({@code ldk-failure-model.md} §1). */
    TEMPORARY_TRAMPOLINE_FAILURE(0x2019, Status.PROPOSED),
    TRAMPOLINE_FEE_OR_EXPIRY_INSUFFICIENT(0x201A, Status.PROPOSED, u32("fee_base_msat"), u32("fee_proportional_millionths"), u16("cltv_expiry_delta")),
    UNKNOWN_NEXT_TRAMPOLINE(0x401B, Status.PROPOSED),
    INVALID_REALM(0x4001, Status.REMOVED),
    UNKNOWN_PAYMENT_HASH(0x400F, Status.REMOVED),
    INCORRECT_PAYMENT_AMOUNT(0x4010, Status.REMOVED),
    FINAL_EXPIRY_TOO_SOON(0x0011, Status.REMOVED);

    /** Where a code stands in the specification. */
    public enum Status
    {
        CURRENT,
        /** Proposed (trampoline) and used by implementations, not yet in BOLT #4. */
        PROPOSED,
        /** Removed from BOLT #4; still read back from old data and old peers. */
        REMOVED,
    }

    private static final Map<Integer, FailureCode> BY_CODE = Stream.of(values())
            .filter(code -> code != UNKNOWN_PAYMENT_HASH)
            .collect(Collectors.toUnmodifiableMap(FailureCode::code, Function.identity()));

    private static final Map<String, FailureCode> BY_NAME = Stream.of(values())
            .collect(Collectors.toUnmodifiableMap(FailureCode::specName, Function.identity()));

    private final int code;
    private final Status status;
    private final List<DataField> layout;

    FailureCode(int code, Status status, DataField... layout)
    {
        this.code = code;
        this.status = status;
        this.layout = List.of(layout);
    }

    public int code()
    {
        return code;
    }

    public Status status()
    {
        return status;
    }

    /** The fields that follow the code in a failure message, in order. */
    public List<DataField> layout()
    {
        return layout;
    }

    public Set<FailureFlag> flags()
    {
        return FailureFlag.of(code);
    }

    /** The BOLT #4 name, e.g. {@code temporary_channel_failure}. */
    public String specName()
    {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The name Core Lightning prints in {@code failreason}, e.g. {@code WIRE_TEMPORARY_CHANNEL_FAILURE}. */
    public String wireName()
    {
        return "WIRE_" + name();
    }

    /** True when the message may stop right after the code even though the layout names fields. */
    public boolean dataOptional()
    {
        return this == INVALID_ONION_PAYLOAD;
    }

    /** The entry for this number ({@link #INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS} for 0x400f); empty for a number never assigned. */
    public static Optional<FailureCode> forCode(int code)
    {
        return Optional.ofNullable(BY_CODE.get(code));
    }

    public static Optional<FailureCode> forSpecName(String name)
    {
        return Optional.ofNullable(BY_NAME.get(name));
    }

    /**
     * The name Core Lightning prints for any code: {@code WIRE_...} for a known one and
     * {@code UNKNOWN <n>} for any other ({@code cln-plugin-protocol.md} §3.2).
     */
    public static String wireName(int code)
    {
        return forCode(code).map(FailureCode::wireName).orElse("UNKNOWN " + code);
    }
}
