package io.failscope.sim;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/** The queries the demo prints: one curl line per method, with values that exist in the demo's store. */
final class Demo
{
    private Demo() {}

    static List<String> queries(int port, JsonNode held)
    {
        String heldId = held.path("intercepted").path(0).path("id").asText("101x1x0/0");
        String otherHeldId = held.path("intercepted").path(1).path("id").asText(heldId);
        List<String> lines = new ArrayList<>();
        lines.add("# the first 5 failures recorded (paged by created_index, like listforwards)");
        lines.add(curl(port, "listhtlcfailures", "{\"limit\":5}"));
        lines.add("# why did forwards over 102x1x0 fail because the balance was too low? (the evidence says by how much)");
        lines.add(curl(port, "listhtlcfailures", "{\"reason\":\"channel_balance_overdrawn\",\"out_channel\":\"102x1x0\",\"limit\":3}"));
        lines.add("# every temporary_channel_failure, whatever failscope found behind it");
        lines.add(curl(port, "listhtlcfailures", "{\"failcode\":\"0x1007\",\"limit\":3}"));
        lines.add("# HTLCs the policy failed on purpose (no node keeps these)");
        lines.add(curl(port, "listhtlcfailures", "{\"type\":\"intercepted\",\"limit\":3}"));
        lines.add("# counts, amounts and missed fees by reason, by outgoing channel, by peer");
        lines.add(curl(port, "htlcfailurestats", "{\"group_by\":\"reason\"}"));
        lines.add(curl(port, "htlcfailurestats", "{\"group_by\":\"out_channel\"}"));
        lines.add(curl(port, "htlcfailurestats", "{\"group_by\":\"peer_id\"}"));
        lines.add("# the rules in force and how often each matched; read the policy file again");
        lines.add(curl(port, "listpolicy", "{}"));
        lines.add(curl(port, "reloadpolicy", "{}"));
        lines.add("# HTLCs held by the hold rule, waiting for you: fail one with a code of your choice, let the other go on");
        lines.add(curl(port, "listinterceptedhtlcs", "{}"));
        lines.add(curl(port, "failinterceptedhtlc", "{\"id\":\"" + heldId + "\",\"code\":\"temporary_channel_failure\"}"));
        lines.add(curl(port, "resumeinterceptedhtlc", "{\"id\":\"" + otherHeldId + "\"}"));
        lines.add("# delete the failures of peer 1's channel (retention does this by age or row count on its own)");
        lines.add(curl(port, "delhtlcfailures", "{\"in_channel\":\"101x1x0\"}"));
        return lines;
    }

    static void printQueries(int port, JsonNode held)
    {
        System.out.println();
        System.out.println("failscope is running with the simulated node; its HTTP endpoint is http://127.0.0.1:" + port + "/rpc. Try:");
        System.out.println();
        queries(port, held).forEach(System.out::println);
        System.out.println();
        System.out.println("Ctrl-C stops the simulator and the plugin.");
    }

    private static String curl(int port, String method, String params)
    {
        return "curl -s -H 'Content-Type: application/json' -d '{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + method + "\",\"params\":" + params
                + "}' http://127.0.0.1:" + port + "/rpc";
    }
}
