package io.failscope.sim;

import java.util.HexFormat;
import java.util.List;
import java.util.Random;

/**
 * The stream of HTLCs: mostly forwards that succeed, with a realistic share that fail for liquidity,
 * fees, expiries, offline peers, unknown or inactive channels, downstream hops, and policy rejections,
 * plus failures of our own payments. Each HTLC is judged by the {@link SimNode} when it is made, so
 * its true outcome is known before the plugin sees it. Seeded: the same seed gives the same stream.
 */
final class Traffic
{
    /** What an HTLC was made to exercise; its outcome still comes from the node's checks. */
    enum Scenario
    {
        FORWARD(790), FEE_TOO_LOW(30), CLTV_DELTA_TOO_SMALL(20), EXPIRY_TOO_SOON(5), EXPIRY_TOO_FAR(5), UNKNOWN_CHANNEL(15),
        INACTIVE_CHANNEL(20), PROBE(20), HOLD(2), PAYMENT_FAILED(10);

        final int weight;

        Scenario(int weight)
        {
            this.weight = weight;
        }
    }

    /** One incoming HTLC as the hook will show it, with its outcome (for sends: the payment's failure). */
    record Htlc(Scenario scenario, String inChannel, long htlcId, String inPeer, String outScid, long amountMsat, long forwardMsat,
            long cltvExpiry, long outgoingCltv, long blockHeight, String paymentHash, SimNode.Outcome outcome) {}

    private final SimNode node;
    private final Random random;
    private final List<Scenario> scenarios;
    private final int totalWeight;
    private final long[] nextHtlcId = new long[1000];

    /** {@code ownPayments}: whether our own payments fail too (a jvm node reports only what it forwards). */
    Traffic(SimNode node, Random random, boolean ownPayments)
    {
        this.node = node;
        this.random = random;
        this.scenarios = List.of(Scenario.values()).stream().filter(scenario -> ownPayments || scenario != Scenario.PAYMENT_FAILED).toList();
        this.totalWeight = scenarios.stream().mapToInt(scenario -> scenario.weight).sum();
    }

    Htlc next()
    {
        return next(pick());
    }

    Htlc next(Scenario scenario)
    {
        List<SimChannel> channels = node.channels();
        SimChannel in = switch (scenario) {
            case PROBE -> channel(channels, SimNode.NOISY_PEER);
            case HOLD -> channel(channels, SimNode.NEW_PEER);
            default -> {
                SimChannel candidate;
                do {
                    candidate = channels.get(random.nextInt(channels.size()));
                }
                while (!candidate.canCarryHtlcs() || !node.isConnected(candidate.peerId));
                yield candidate;
            }
        };
        SimChannel out;
        do {
            out = channels.get(random.nextInt(channels.size()));
        }
        while (out == in || (!out.canCarryHtlcs() && scenario != Scenario.INACTIVE_CHANNEL) || (out.canCarryHtlcs() && scenario == Scenario.INACTIVE_CHANNEL));
        String outScid = scenario == Scenario.UNKNOWN_CHANNEL ? (900 + random.nextInt(99)) + "x1x0" : out.scid;

        long forward = switch (scenario) {
            case PROBE -> 1 + random.nextInt(900);
            case HOLD -> 50_000_000 + random.nextInt(30_000_000);
            default -> amount();
        };
        long fee = out.requiredFeeMsat(forward) + random.nextInt(100);
        if (scenario == Scenario.FEE_TOO_LOW) {
            fee = Math.max(0, out.requiredFeeMsat(forward) - 1 - random.nextInt(1000));
        }
        long height = node.blockHeight();
        long outgoingCltv = switch (scenario) {
            case EXPIRY_TOO_SOON -> height - random.nextInt(5);
            case EXPIRY_TOO_FAR -> height + SimNode.MAX_CLTV_AHEAD + 1 + random.nextInt(100);
            default -> height + 40 + random.nextInt(200);
        };
        long cltvExpiry = outgoingCltv + (scenario == Scenario.CLTV_DELTA_TOO_SMALL ? 10 + random.nextInt(24) : SimNode.CLTV_DELTA + random.nextInt(40));
        if (scenario == Scenario.PROBE) {
            fee = Math.min(fee, 1000 - forward);
        }
        long amount = forward + fee;
        int channelNumber = Integer.parseInt(in.scid.substring(0, in.scid.indexOf('x')));
        long htlcId = nextHtlcId[channelNumber]++;
        SimNode.Outcome outcome = scenario == Scenario.PAYMENT_FAILED
                ? paymentOutcome()
                : node.judge(outScid, amount, forward, cltvExpiry, outgoingCltv, random.nextInt(100) < 12);
        return new Htlc(scenario, in.scid, htlcId, in.peerId, outScid, amount, forward, cltvExpiry, outgoingCltv, height, paymentHash(), outcome);
    }

    private Scenario pick()
    {
        int roll = random.nextInt(totalWeight);
        for (Scenario scenario : scenarios) {
            roll -= scenario.weight;
            if (roll < 0) {
                return scenario;
            }
        }
        throw new IllegalStateException("weights do not add up");
    }

    /** Mostly a few thousand sats; some large; some below the dust limit. */
    private long amount()
    {
        int band = random.nextInt(100);
        if (band < 70) {
            return 50_000 + (long) (Math.exp(random.nextDouble() * Math.log(60)) * 50_000);
        }
        if (band < 88) {
            return 3_000_000 + random.nextInt(20_000_000);
        }
        return 1_000 + random.nextInt(545_000);
    }

    /**
     * Our own payment part failed ({@code sendpay_failure}): half at our node (channeld's words name the
     * reason), half further along (only the code is known).
     */
    private SimNode.Outcome paymentOutcome()
    {
        return switch (random.nextInt(4)) {
            case 0 -> SimNode.Outcome.local(0x1007, "channel_balance_overdrawn");
            case 1 -> SimNode.Outcome.local(0x1007, "too_many_htlcs");
            case 2 -> new SimNode.Outcome(SimNode.Kind.DOWNSTREAM_FAILED, 0x400F, "incorrect_payment_details");
            default -> new SimNode.Outcome(SimNode.Kind.DOWNSTREAM_FAILED, 0x1007, "temporary_channel_failure");
        };
    }

    private SimChannel channel(List<SimChannel> channels, String peerId)
    {
        return channels.stream().filter(channel -> channel.peerId.equals(peerId)).findFirst().orElseThrow();
    }

    private String paymentHash()
    {
        byte[] hash = new byte[32];
        random.nextBytes(hash);
        return HexFormat.of().formatHex(hash);
    }
}
