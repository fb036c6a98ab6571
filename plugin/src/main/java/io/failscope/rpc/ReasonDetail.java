package io.failscope.rpc;

import io.failscope.reason.FailureCode;
import io.failscope.reason.LocalReason;
import io.failscope.record.Evidence;
import io.failscope.record.HtlcFailureRecord;
import io.failscope.record.RecordedReason;

import java.util.EnumMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static io.failscope.record.EvidenceNames.BLOCK_HEIGHT;
import static io.failscope.record.EvidenceNames.DUST_EXPOSURE_MSAT;
import static io.failscope.record.EvidenceNames.HTLCS_IN_FLIGHT;
import static io.failscope.record.EvidenceNames.HTLC_MAXIMUM_MSAT;
import static io.failscope.record.EvidenceNames.HTLC_MINIMUM_MSAT;
import static io.failscope.record.EvidenceNames.IN_FLIGHT_MSAT;
import static io.failscope.record.EvidenceNames.MAX_CLTV_BLOCKS;
import static io.failscope.record.EvidenceNames.MAX_DUST_EXPOSURE_MSAT;
import static io.failscope.record.EvidenceNames.MAX_HTLCS;
import static io.failscope.record.EvidenceNames.MAX_IN_FLIGHT_MSAT;
import static io.failscope.record.EvidenceNames.OFFERED_CLTV_DELTA;
import static io.failscope.record.EvidenceNames.OFFERED_FEE_MSAT;
import static io.failscope.record.EvidenceNames.OUTGOING_CLTV_VALUE;
import static io.failscope.record.EvidenceNames.REQUESTED_CHANNEL_COULD_CARRY;
import static io.failscope.record.EvidenceNames.REQUESTED_MSAT;
import static io.failscope.record.EvidenceNames.REQUIRED_CLTV_DELTA;
import static io.failscope.record.EvidenceNames.REQUIRED_FEE_MSAT;
import static io.failscope.record.EvidenceNames.SPENDABLE_MSAT;

/**
 * One sentence that explains a record's reason, with its numbers where the evidence has them:
 * "the outgoing channel could spend 80000 msat; the HTLC needed 120000 msat".
 */
final class ReasonDetail
{
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([a-z0-9_]+)}");

    /** Sentences by reason; used when the evidence has every number the sentence names. */
    private static final Map<LocalReason, String> SENTENCES = new EnumMap<>(LocalReason.class);

    static {
        SENTENCES.put(LocalReason.CHANNEL_BALANCE_OVERDRAWN, "the outgoing channel could spend {" + SPENDABLE_MSAT + "} msat; the HTLC needed {" + REQUESTED_MSAT + "} msat");
        SENTENCES.put(LocalReason.HTLC_MAXIMUM, "the HTLC needed {" + REQUESTED_MSAT + "} msat; the outgoing channel takes at most {" + HTLC_MAXIMUM_MSAT + "} msat per HTLC");
        SENTENCES.put(LocalReason.HTLC_MINIMUM, "the HTLC carried {" + REQUESTED_MSAT + "} msat; the outgoing channel takes at least {" + HTLC_MINIMUM_MSAT + "} msat per HTLC");
        SENTENCES.put(LocalReason.AMOUNT_BELOW_MINIMUM, "the HTLC carried {" + REQUESTED_MSAT + "} msat; the peer takes at least {" + HTLC_MINIMUM_MSAT + "} msat per HTLC");
        SENTENCES.put(LocalReason.FEE_INSUFFICIENT, "the HTLC offered a fee of {" + OFFERED_FEE_MSAT + "} msat; the outgoing channel charges {" + REQUIRED_FEE_MSAT + "} msat");
        SENTENCES.put(LocalReason.INCORRECT_CLTV_EXPIRY, "the HTLC left {" + OFFERED_CLTV_DELTA + "} blocks between its expiries; the outgoing channel needs {" + REQUIRED_CLTV_DELTA + "}");
        SENTENCES.put(LocalReason.OUTGOING_CLTV_TOO_SOON, "the outgoing expiry {" + OUTGOING_CLTV_VALUE + "} was not above the block height {" + BLOCK_HEIGHT + "}");
        SENTENCES.put(LocalReason.CLTV_EXPIRY_TOO_SOON, "the expiry {" + OUTGOING_CLTV_VALUE + "} was too close to the block height {" + BLOCK_HEIGHT + "}");
        SENTENCES.put(LocalReason.CLTV_EXPIRY_TOO_FAR, "the outgoing expiry {" + OUTGOING_CLTV_VALUE + "} was more than {" + MAX_CLTV_BLOCKS + "} blocks past the block height {" + BLOCK_HEIGHT + "}");
        SENTENCES.put(LocalReason.TOO_MANY_HTLCS, "the outgoing channel had {" + HTLCS_IN_FLIGHT + "} HTLCs in flight; it takes at most {" + MAX_HTLCS + "}");
        SENTENCES.put(LocalReason.PEER_MAX_IN_FLIGHT_EXCEEDED, "{" + IN_FLIGHT_MSAT + "} msat were in flight and the HTLC added {" + REQUESTED_MSAT + "} msat; the peer allows {" + MAX_IN_FLIGHT_MSAT + "} msat in flight");
        SENTENCES.put(LocalReason.DUST_EXPOSURE, "the HTLC would raise dust exposure to {" + DUST_EXPOSURE_MSAT + "} msat; the limit is {" + MAX_DUST_EXPOSURE_MSAT + "} msat");
    }

    private ReasonDetail() {}

    static String of(HtlcFailureRecord record)
    {
        return explained(record) + switched(record);
    }

    /**
     * When the node forwarded over another channel than the onion named: which, and whether the onion's
     * own channel could have carried the HTLC (lightningd picks by spendable balance alone).
     */
    private static String switched(HtlcFailureRecord record)
    {
        if (record.requestedOutChannel().isEmpty() || record.outChannel().isEmpty()) {
            return "";
        }
        Long couldCarry = record.reason().map(reason -> reason.evidence().get(REQUESTED_CHANNEL_COULD_CARRY)).orElse(null);
        String verdict = "";
        if (couldCarry != null) {
            verdict = couldCarry == 1 ? ", which could have carried it" : ", which could not have carried it either";
        }
        return "; the node tried " + record.outChannel().get() + " instead of the onion's " + record.requestedOutChannel().get() + verdict;
    }

    private static String explained(HtlcFailureRecord record)
    {
        if (record.reason().isEmpty()) {
            return "a later hop failed the HTLC; its reason is encrypted for the sender";
        }
        RecordedReason reason = record.reason().get();
        LocalReason variant = reason.reason().reason();
        if ((variant == LocalReason.POLICY_FAILED || variant == LocalReason.OPERATOR_FAILED) && record.rule().isPresent()) {
            return (variant == LocalReason.POLICY_FAILED ? "failscope rule '" : "the operator ('") + record.rule().get() + (variant == LocalReason.POLICY_FAILED ? "'" : "')")
                    + " failed the HTLC with " + FailureCode.forCode(reason.wireCode()).map(FailureCode::specName).orElse("code " + reason.wireCode());
        }
        String sentence = SENTENCES.get(variant);
        if (sentence != null && hasAll(sentence, reason.evidence())) {
            return fill(sentence, reason.evidence());
        }
        String explanation = variant == LocalReason.UNKNOWN_FAILURE_CODE
                ? variant.explanation() + " (" + reason.reason().wireName() + ")"
                : variant.explanation();
        if (reason.evidence().isEmpty()) {
            return explanation;
        }
        return explanation + " (" + reason.evidence().values().entrySet().stream()
                .map(entry -> entry.getKey() + " " + entry.getValue())
                .collect(Collectors.joining(", ")) + ")";
    }

    private static boolean hasAll(String sentence, Evidence evidence)
    {
        Matcher matcher = PLACEHOLDER.matcher(sentence);
        while (matcher.find()) {
            if (evidence.get(matcher.group(1)) == null) {
                return false;
            }
        }
        return true;
    }

    private static String fill(String sentence, Evidence evidence)
    {
        return PLACEHOLDER.matcher(sentence).replaceAll(match -> String.valueOf(evidence.get(match.group(1))));
    }
}
