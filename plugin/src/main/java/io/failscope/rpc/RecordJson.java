package io.failscope.rpc;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.failscope.json.Json;
import io.failscope.record.HtlcFailureRecord;
import io.failscope.record.RecordedReason;
import io.failscope.store.StoredFailure;

/**
 * A stored record as a {@code listhtlcfailures} item. Names follow Core Lightning's
 * {@code listforwards} where one exists; absent facts are left out, never written as null
 * ({@code rpc-schema/.../listhtlcfailures.response.json}).
 */
public final class RecordJson
{
    private RecordJson() {}

    public static ObjectNode of(StoredFailure stored)
    {
        HtlcFailureRecord record = stored.record();
        ObjectNode item = Json.object();
        item.put("created_index", stored.createdIndex());
        stored.updatedIndex().ifPresent(index -> item.put("updated_index", index));
        item.put("node_id", record.nodeId().toString());
        item.put("type", record.type().snakeName());
        item.put("source", record.source().snakeName());
        record.inChannel().ifPresent(scid -> item.put("in_channel", scid.toString()));
        record.inHtlcId().ifPresent(id -> item.put("in_htlc_id", id));
        record.inPeer().ifPresent(peer -> item.put("in_peer_id", peer.toString()));
        record.inMsat().ifPresent(msat -> item.put("in_msat", msat));
        record.cltvExpiry().ifPresent(cltv -> item.put("cltv_expiry", cltv));
        record.outChannel().ifPresent(scid -> item.put("out_channel", scid.toString()));
        record.requestedOutChannel().ifPresent(scid -> item.put("requested_out_channel", scid.toString()));
        record.outPeer().ifPresent(peer -> item.put("out_peer_id", peer.toString()));
        record.outMsat().ifPresent(msat -> item.put("out_msat", msat));
        record.feeMsat().ifPresent(msat -> item.put("fee_msat", msat));
        record.paymentHash().ifPresent(hash -> item.put("payment_hash", hash.toString()));
        if (record.reason().isPresent()) {
            RecordedReason reason = record.reason().get();
            item.put("failcode", reason.wireCode());
            item.put("failcode_name", reason.reason().wireName());
            if (!record.failureData().isEmpty()) {
                item.put("failure_data", record.failureData().hex());
            }
            item.put("reason", reason.reason().snakeName());
            item.put("reason_source", reason.source().snakeName());
            ObjectNode evidence = item.putObject("evidence");
            reason.evidence().values().forEach(evidence::put);
        }
        item.put("reason_detail", ReasonDetail.of(record));
        record.rule().ifPresent(rule -> item.put("rule", rule));
        item.put("received_time", Json.seconds(record.receivedTime()));
        record.resolvedTime().ifPresent(time -> item.put("resolved_time", Json.seconds(time)));
        return item;
    }
}
