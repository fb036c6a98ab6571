package io.failscope.rpc;

import io.failscope.NodeId;
import io.failscope.ShortChannelId;
import io.failscope.reason.FailureReason;
import io.failscope.reason.FailureSource;
import io.failscope.reason.FailureType;
import io.failscope.reason.LocalReason;
import io.failscope.record.Evidence;
import io.failscope.record.HtlcFailureRecord;
import io.failscope.record.RecordedReason;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

final class TestReasonDetail
{
    private static HtlcFailureRecord.Builder htlcMaximum(long couldCarry)
    {
        return HtlcFailureRecord.builder()
                .nodeId(NodeId.fromHex("023da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe436f54eb"))
                .type(FailureType.FORWARD)
                .source(FailureSource.LOCAL)
                .receivedTime(Instant.ofEpochSecond(1_755_675_000L))
                .outChannel(ShortChannelId.parse("105x1x0"))
                .reason(RecordedReason.inferred(FailureReason.of(LocalReason.HTLC_MAXIMUM),
                        Evidence.builder().put("requested_msat", 1_000_000).put("htlc_maximum_msat", 500_000).put("requested_channel_could_carry", couldCarry).build()));
    }

    @Test
    void aSwitchedChannelIsNamedWithWhetherTheOnionsCouldHaveCarriedIt()
    {
        assertThat(ReasonDetail.of(htlcMaximum(1).requestedOutChannel(ShortChannelId.parse("103x1x0")).build())).isEqualTo(
                "the HTLC needed 1000000 msat; the outgoing channel takes at most 500000 msat per HTLC; the node tried 105x1x0 instead of the onion's 103x1x0, which could have carried it");
        assertThat(ReasonDetail.of(htlcMaximum(0).requestedOutChannel(ShortChannelId.parse("103x1x0")).build())).endsWith(
                "the node tried 105x1x0 instead of the onion's 103x1x0, which could not have carried it either");
        assertThat(ReasonDetail.of(htlcMaximum(1).build())).isEqualTo("the HTLC needed 1000000 msat; the outgoing channel takes at most 500000 msat per HTLC");
    }
}
