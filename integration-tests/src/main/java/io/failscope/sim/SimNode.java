package io.failscope.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The simulated Core Lightning node: its channels and peers, the block height, its settings, and how
 * it judges a forward. {@link #judge} runs lightningd's checks in lightningd's order
 * ({@code cln-plugin-protocol.md} §6.2, then channeld's refusals of §6.3), so the simulator knows the
 * true reason of every failure it produces; failscope has to infer the same one from the failcode and
 * the node's RPC. The state changes only between epochs ({@link #nextEpoch}), never while failures
 * of the current epoch may still be judged by the plugin.
 */
final class SimNode
{
    static final String NODE_ID = "023da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe436f54eb";
    /** The peer the demo policy fails tiny probes from ({@code config/demo-policy.json}). */
    static final String NOISY_PEER = "02c0ad1f4a3b8b0dfc5e66f55a0d3b7d0ab4ef0a0cba6a3c9f1e0a0f8e1d7a4a01";
    /** The peer whose large HTLCs the demo policy holds. */
    static final String NEW_PEER = "034f561d7707e41c321c7ad217bbc91aabc0c3d8bdec5521800b1ace34cb5791de";
    static final long CLTV_DELTA = 34;
    static final long DUST_LIMIT_MSAT = 546_000;
    static final long MAX_DUST_EXPOSURE_MSAT = 50_000_000;
    static final long MAX_CLTV_AHEAD = 2016;
    static final long FIRST_HEIGHT = 800_000;

    /** How a forward ended, and the reason the simulator knows it failed for. */
    enum Kind { SETTLED, DOWNSTREAM_FAILED, LOCAL_FAILED }

    record Outcome(Kind kind, int failcode, String reason)
    {
        static final Outcome SETTLED = new Outcome(Kind.SETTLED, 0, null);
        static final Outcome DOWNSTREAM_FAILED = new Outcome(Kind.DOWNSTREAM_FAILED, 0, null);

        static Outcome local(int failcode, String reason)
        {
            return new Outcome(Kind.LOCAL_FAILED, failcode, reason);
        }
    }

    private final String nodeId;
    private final Map<String, SimChannel> channels = new LinkedHashMap<>();
    private final Map<String, Boolean> connected = new LinkedHashMap<>();
    private final AtomicLong height = new AtomicLong(FIRST_HEIGHT);
    private final AtomicLong freshChannelLookups = new AtomicLong();
    private final Map<String, Long> balanceChanges = new LinkedHashMap<>();
    private int epoch;

    SimNode(String nodeId)
    {
        this.nodeId = nodeId;
        // scid, peer, state, spendable, htlc min, htlc max, fee base, ppm, max HTLCs, peer's max in flight, dust in flight
        add(new SimChannel("101x1x0", peer(1), "CHANNELD_NORMAL", 40_000_000, 1_000, 20_000_000, 1_000, 100, 30, 400_000_000, 0));
        add(new SimChannel("102x1x0", peer(2), "CHANNELD_NORMAL", 6_000_000, 1_000, 10_000_000, 500, 500, 30, 400_000_000, 0));
        add(new SimChannel("103x1x0", peer(3), "CHANNELD_NORMAL", 30_000_000, 100_000, 5_000_000, 0, 1_000, 30, 400_000_000, 0));
        add(new SimChannel("104x1x0", peer(4), "CHANNELD_NORMAL", 30_000_000, 1_000, 20_000_000, 1_000, 200, 6, 400_000_000, 0));
        add(new SimChannel("105x1x0", peer(5), "CHANNELD_NORMAL", 60_000_000, 1_000, 20_000_000, 1_000, 10, 30, 20_000_000, 0));
        add(new SimChannel("106x1x0", peer(6), "CHANNELD_NORMAL", 30_000_000, 1_000, 20_000_000, 100, 50, 30, 400_000_000, MAX_DUST_EXPOSURE_MSAT - 10_000));
        add(new SimChannel("107x1x0", peer(7), "CHANNELD_AWAITING_LOCKIN", 30_000_000, 1_000, 20_000_000, 1_000, 100, 30, 400_000_000, 0));
        add(new SimChannel("108x1x0", peer(8), "CHANNELD_SHUTTING_DOWN", 30_000_000, 1_000, 20_000_000, 1_000, 100, 30, 400_000_000, 0));
        add(new SimChannel("109x1x0", NOISY_PEER, "CHANNELD_NORMAL", 30_000_000, 1_000, 20_000_000, 1_000, 100, 30, 400_000_000, 0));
        add(new SimChannel("110x1x0", NEW_PEER, "CHANNELD_NORMAL", 30_000_000, 1_000, 100_000_000, 1_000, 100, 30, 400_000_000, 0));
        // two large HTLCs stuck towards peer 5: 14 of its 20 million msat in-flight cap are used
        channels.get("105x1x0").stuckOut.addAll(List.of(7_000_000L, 7_000_000L));
    }

    /** Peers 1 to 8: keys on secp256k1 (x from sha256("failscope simulator peer N"), the next x on the curve). */
    private static final List<String> PEERS = List.of(
            "0224601b99fc932d5fb684120daabb9a585217f43ed017f30667843fae90ea0282",
            "0280f121c606c69664120f8e9837689634e44f6bc023eff0d53582250b6ed87a59",
            "02c2bc309abee6109c269099382efbebc00bcefe96b737074fc908fb009db5bdab",
            "0263ebcf758ea9679dc40e0b604f4e78ac77fb2f307e007ed289a8a91876860447",
            "02cdef0028b0b2ccb39739aeb1c1ea10c752c5bd3b100d8e56ba98890431c53ac9",
            "027e0b0f5642c6a2721e0d1acec41b95e38e87819ea135da4d2a29321d4ca1dbde",
            "021f0c50ad43074bec93b7f07510afbf8dbcb364882cd555e235596a9109aaaac6",
            "023a89e6652be7eb8ea08215f62729cbb06fc4b21e8e50acc6c3967812200de7ff");

    private static String peer(int number)
    {
        return PEERS.get(number - 1);
    }

    private void add(SimChannel channel)
    {
        channels.put(channel.scid, channel);
        connected.put(channel.peerId, true);
    }

    long blockHeight()
    {
        return height.get();
    }

    synchronized List<SimChannel> channels()
    {
        return new ArrayList<>(channels.values());
    }

    synchronized boolean isConnected(String peerId)
    {
        return connected.getOrDefault(peerId, false);
    }

    /** How many {@code listpeerchannels short_channel_id=...} calls the plugin made: one per local failure it judged. */
    long freshChannelLookups()
    {
        return freshChannelLookups.get();
    }

    /** The node's RPC (getinfo, listpeerchannels, listconfigs), as the plugin calls it over the socket or HTTP. */
    JsonNode answer(String method, JsonNode params)
    {
        switch (method) {
            case "getinfo":
                return PluginProcess.MAPPER.createObjectNode().put("id", nodeId).put("alias", "failscope-sim")
                        .put("blockheight", height.get()).put("network", "regtest");
            case "listconfigs":
                ObjectNode result = PluginProcess.MAPPER.createObjectNode();
                ObjectNode configs = result.putObject("configs");
                configs.putObject("cltv-delta").put("value_int", CLTV_DELTA);
                configs.putObject("max-dust-htlc-exposure-msat").put("value_msat", MAX_DUST_EXPOSURE_MSAT);
                configs.putObject("max-concurrent-htlcs").put("value_int", 30);
                return result;
            case "listpeerchannels":
                return listPeerChannels(params.path("short_channel_id").asText(null));
            default:
                return null;
        }
    }

    private synchronized JsonNode listPeerChannels(String only)
    {
        ObjectNode result = PluginProcess.MAPPER.createObjectNode();
        ArrayNode list = result.putArray("channels");
        for (SimChannel channel : channels.values()) {
            if (only == null || only.equals(channel.scid)) {
                list.add(channel.toJson(connected.get(channel.peerId), CLTV_DELTA, DUST_LIMIT_MSAT));
            }
        }
        if (only != null) {
            freshChannelLookups.incrementAndGet();
        }
        return result;
    }

    /**
     * What lightningd and channeld do with a forward the hook let through: the first check that fails
     * decides, in their order. {@code downstreamFails} is whether the next hop would fail it if it got there.
     */
    synchronized Outcome judge(String outScid, long amountMsat, long forwardMsat, long cltvExpiry, long outgoingCltv, boolean downstreamFails)
    {
        SimChannel out = channels.get(outScid);
        // §6.2 #1: no such channel, or one that cannot carry HTLCs
        if (out == null) {
            return Outcome.local(0x400A, "unknown_next_peer");
        }
        if (!out.canCarryHtlcs()) {
            return Outcome.local(0x400A, out.state.contains("AWAITING_LOCKIN") ? "outgoing_channel_not_ready" : "outgoing_channel_closing");
        }
        // #2: the fee the outgoing channel charges
        if (amountMsat - forwardMsat < out.requiredFeeMsat(forwardMsat)) {
            return Outcome.local(0x100C, "fee_insufficient");
        }
        // #3: our advertised HTLC range
        if (forwardMsat < out.minimumHtlcMsat) {
            return Outcome.local(0x1007, "htlc_minimum");
        }
        if (forwardMsat > out.maximumHtlcMsat) {
            return Outcome.local(0x1007, "htlc_maximum");
        }
        // #4 to #6: the expiries
        if (cltvExpiry - outgoingCltv < CLTV_DELTA) {
            return Outcome.local(0x100D, "incorrect_cltv_expiry");
        }
        if (height.get() >= outgoingCltv) {
            return Outcome.local(0x100E, "outgoing_cltv_too_soon");
        }
        if (outgoingCltv > height.get() + MAX_CLTV_AHEAD) {
            return Outcome.local(0x0015, "cltv_expiry_too_far");
        }
        // #8: nobody to hand it to
        if (!connected.get(out.peerId)) {
            return Outcome.local(0x1007, "peer_offline");
        }
        // §6.3: channeld refuses the add
        if (out.stuckOutMsat() + forwardMsat > out.theirMaxInFlightMsat) {
            return Outcome.local(0x6003, "peer_max_in_flight_exceeded");
        }
        if (forwardMsat > out.spendableMsat) {
            return Outcome.local(0x1007, "channel_balance_overdrawn");
        }
        if (out.stuckOut.size() + 1 > out.maxAcceptedHtlcs) {
            return Outcome.local(0x1007, "too_many_htlcs");
        }
        if (forwardMsat < DUST_LIMIT_MSAT && out.dustInFlightMsat + forwardMsat > MAX_DUST_EXPOSURE_MSAT) {
            return Outcome.local(0x1007, "dust_exposure");
        }
        return downstreamFails ? Outcome.DOWNSTREAM_FAILED : Outcome.SETTLED;
    }

    /** A block with nothing else changing (at the end of a run, while held HTLCs wait for their deadline). */
    long mineBlock()
    {
        return height.incrementAndGet();
    }

    /** A settled forward moves balance; it shows at the next epoch. */
    synchronized void settled(String inChannel, long amountMsat, String outChannel, long forwardMsat)
    {
        balanceChanges.merge(outChannel, -forwardMsat, Long::sum);
        balanceChanges.merge(inChannel, amountMsat, Long::sum);
    }

    /** What changed at an epoch's end, for the notifications lightningd would send. */
    record EpochChanges(long height, List<String> disconnected, List<String> reconnected) {}

    /**
     * Moves the world on: a block, settled balances (a channel run dry is rebalanced), peers going and
     * coming back, HTLCs stuck on the slot-limited channel appearing and clearing.
     */
    synchronized EpochChanges nextEpoch(Random random)
    {
        epoch++;
        balanceChanges.forEach((scid, change) -> {
            SimChannel channel = channels.get(scid);
            channel.spendableMsat = Math.max(0, channel.spendableMsat + change);
            if (channel.spendableMsat < 1_000_000 || channel.spendableMsat > 4 * channel.initialSpendableMsat) {
                channel.spendableMsat = channel.initialSpendableMsat;
            }
        });
        balanceChanges.clear();
        List<String> disconnected = new ArrayList<>();
        List<String> reconnected = new ArrayList<>();
        for (SimChannel channel : channels.values()) {
            // peers 1 to 6 come and go; the probing and the new peer stay, as do the peers of idle channels
            if (!channel.canCarryHtlcs() || channel.peerId.equals(NOISY_PEER) || channel.peerId.equals(NEW_PEER)) {
                continue;
            }
            boolean online = connected.get(channel.peerId);
            if (online && random.nextDouble() < 0.04) {
                connected.put(channel.peerId, false);
                disconnected.add(channel.peerId);
            }
            else if (!online && random.nextDouble() < 0.4) {
                connected.put(channel.peerId, true);
                reconnected.add(channel.peerId);
            }
        }
        SimChannel slots = channels.get("104x1x0");
        if (random.nextDouble() < 0.25) {
            slots.stuckOut.clear();
            if (epoch % 2 == 0) {
                for (int i = 0; i < slots.maxAcceptedHtlcs; i++) {
                    slots.stuckOut.add(150_000L);
                }
            }
        }
        return new EpochChanges(height.incrementAndGet(), disconnected, reconnected);
    }
}
