package io.failscope.intercept;

import com.fasterxml.jackson.databind.JsonNode;
import io.failscope.NodeId;
import io.failscope.PaymentHash;
import io.failscope.ShortChannelId;
import io.failscope.json.Json;
import io.failscope.reason.FailureChoice;
import io.failscope.reason.SelectableFailure;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.IntStream;

import static java.util.Objects.requireNonNull;

/**
 * The interception rules, in file order; the first rule that matches decides (a dry-run rule only
 * counts, and the rules after it are asked). Read from a JSON policy file, documented in
 * {@code config/policy.example.json}; every problem in a file is reported at once, naming where it is.
 */
public record Policy(List<PolicyRule> rules, Map<ShortChannelId, int[]> byInChannel, int[] anyInChannel)
{
    public static final Policy EMPTY = new Policy(List.of());

    private static final List<String> RULE_KEYS = List.of("name", "match", "action", "code", "onion_type", "onion_offset", "dry_run");
    private static final List<String> MATCH_KEYS = List.of("in_channel", "out_channel", "peer_id", "min_msat", "max_msat", "min_cltv_remaining", "max_cltv_remaining",
            "payment_hash", "max_per_minute", "max_held");

    public Policy(List<PolicyRule> rules)
    {
        this(List.copyOf(requireNonNull(rules, "rules is null")), byInChannel(rules), anyInChannel(rules));
    }

    /**
     * The rules that can match an HTLC from {@code inChannel}, in file order: those without an
     * {@code in_channel} condition and those naming this channel. With thousands of per-channel rules
     * an HTLC is checked against a handful, not all.
     */
    public int[] candidates(ShortChannelId inChannel)
    {
        int[] named = byInChannel.getOrDefault(inChannel, new int[0]);
        int[] merged = new int[named.length + anyInChannel.length];
        int i = 0;
        int j = 0;
        int k = 0;
        while (i < named.length || j < anyInChannel.length) {
            merged[k++] = j >= anyInChannel.length || (i < named.length && named[i] < anyInChannel[j]) ? named[i++] : anyInChannel[j++];
        }
        return merged;
    }

    private static Map<ShortChannelId, int[]> byInChannel(List<PolicyRule> rules)
    {
        Map<ShortChannelId, List<Integer>> lists = new HashMap<>();
        for (int i = 0; i < rules.size(); i++) {
            int index = i;
            rules.get(i).match().inChannel().ifPresent(scid -> lists.computeIfAbsent(scid, ignored -> new ArrayList<>()).add(index));
        }
        Map<ShortChannelId, int[]> arrays = new HashMap<>();
        lists.forEach((scid, indexes) -> arrays.put(scid, indexes.stream().mapToInt(Integer::intValue).toArray()));
        return Map.copyOf(arrays);
    }

    private static int[] anyInChannel(List<PolicyRule> rules)
    {
        return IntStream.range(0, rules.size()).filter(i -> rules.get(i).match().inChannel().isEmpty()).toArray();
    }

    /** Reads a policy file's JSON. Throws with every problem, each naming its place (rules[2].match.min_msat). */
    public static Policy parse(JsonNode file)
            throws PolicyException
    {
        List<String> problems = new ArrayList<>();
        if (file == null || !file.isObject()) {
            throw new PolicyException(List.of("the policy file must hold a JSON object with \"rules\""));
        }
        unknownKeys(file, List.of("rules"), "", problems);
        JsonNode rulesNode = file.path("rules");
        if (!rulesNode.isArray()) {
            throw new PolicyException(List.of("rules: must be a list of rules"));
        }
        List<PolicyRule> rules = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < rulesNode.size(); i++) {
            String where = "rules[" + i + "]";
            JsonNode rule = rulesNode.get(i);
            if (!rule.isObject()) {
                problems.add(where + ": must be an object");
                continue;
            }
            unknownKeys(rule, RULE_KEYS, where + ".", problems);
            String name = rule.path("name").asText("");
            if (!rule.path("name").isTextual() || name.isBlank() || name.length() > 256) {
                problems.add(where + ".name: each rule needs a name of 1 to 256 characters");
            }
            else if (!names.add(name)) {
                problems.add(where + ".name: '" + name + "' names two rules");
            }
            PolicyRule.Match match = match(rule.path("match"), where + ".match", problems);
            PolicyRule.Action action = switch (rule.path("action").asText("")) {
                case "continue" -> PolicyRule.Action.CONTINUE;
                case "fail" -> PolicyRule.Action.FAIL;
                case "hold" -> PolicyRule.Action.HOLD;
                default -> null;
            };
            Optional<FailureChoice> fail = action(rule, where, problems);
            JsonNode dryRun = rule.path("dry_run");
            if (!dryRun.isMissingNode() && !dryRun.isBoolean()) {
                problems.add(where + ".dry_run: must be true or false, got " + Json.abbreviate(dryRun));
            }
            if (match != null && fail != null && action != null) {
                rules.add(new PolicyRule(name, match, action, fail, dryRun.asBoolean(false)));
            }
        }
        if (!problems.isEmpty()) {
            throw new PolicyException(problems);
        }
        return new Policy(rules);
    }

    /** The failure of a fail action, empty for continue and hold; null when the action is invalid (the problem is recorded). */
    private static Optional<FailureChoice> action(JsonNode rule, String where, List<String> problems)
    {
        String action = rule.path("action").asText("");
        switch (action) {
            case "continue", "hold" -> {
                if (rule.has("code")) {
                    problems.add(where + ".code: only a fail action takes a code");
                }
                return Optional.empty();
            }
            case "fail" -> {
                SelectableFailure code;
                try {
                    code = SelectableFailure.parse(rule.path("code").asText(""));
                }
                catch (IllegalArgumentException e) {
                    problems.add(where + ".code: " + e.getMessage());
                    return null;
                }
                boolean hasType = rule.has("onion_type");
                if (hasType != rule.has("onion_offset")) {
                    problems.add(where + ": onion_type and onion_offset go together");
                    return null;
                }
                if (!hasType) {
                    return Optional.of(FailureChoice.of(code));
                }
                if (code != SelectableFailure.INVALID_ONION_PAYLOAD || !rule.path("onion_type").isIntegralNumber() || !rule.path("onion_offset").isIntegralNumber()
                        || !rule.path("onion_type").canConvertToLong() || !rule.path("onion_offset").canConvertToInt()
                        || rule.path("onion_type").longValue() < 0 || rule.path("onion_offset").intValue() < 0 || rule.path("onion_offset").intValue() > 0xFFFF) {
                    problems.add(where + ": onion_type (a number) and onion_offset (0 to 65535) only go with invalid_onion_payload");
                    return null;
                }
                return Optional.of(FailureChoice.invalidOnionPayload(rule.path("onion_type").longValue(), rule.path("onion_offset").intValue()));
            }
            default -> {
                problems.add(where + ".action: must be continue, fail or hold, got " + Json.abbreviate(rule.path("action")));
                return null;
            }
        }
    }

    /** Null when a condition is invalid (the problem is recorded). */
    private static PolicyRule.Match match(JsonNode match, String where, List<String> problems)
    {
        if (match.isMissingNode()) {
            return PolicyRule.Match.ANY;
        }
        if (!match.isObject()) {
            problems.add(where + ": must be an object of conditions");
            return null;
        }
        int before = problems.size();
        unknownKeys(match, MATCH_KEYS, where + ".", problems);
        PolicyRule.Match result = new PolicyRule.Match(
                parsed(match, "in_channel", where, ShortChannelId::parse, "a short channel id such as 103x1x0", problems),
                parsed(match, "out_channel", where, ShortChannelId::parse, "a short channel id such as 103x1x0", problems),
                parsed(match, "peer_id", where, NodeId::fromHex, "a node id (66 hex digits)", problems),
                number(match, "min_msat", where, 0, Long.MAX_VALUE, problems),
                number(match, "max_msat", where, 0, Long.MAX_VALUE, problems),
                number(match, "min_cltv_remaining", where, Integer.MIN_VALUE, Integer.MAX_VALUE, problems),
                number(match, "max_cltv_remaining", where, Integer.MIN_VALUE, Integer.MAX_VALUE, problems),
                parsed(match, "payment_hash", where, PaymentHash::fromHex, "a payment hash (64 hex digits)", problems),
                intNumber(match, "max_per_minute", where, problems),
                intNumber(match, "max_held", where, problems));
        return problems.size() == before ? result : null;
    }

    private static <T> Optional<T> parsed(JsonNode match, String key, String where, Function<String, T> parser, String what, List<String> problems)
    {
        JsonNode value = match.get(key);
        if (value == null) {
            return Optional.empty();
        }
        try {
            if (!value.isTextual()) {
                throw new IllegalArgumentException();
            }
            return Optional.of(parser.apply(value.textValue()));
        }
        catch (IllegalArgumentException e) {
            problems.add(where + "." + key + ": must be " + what + ", got " + Json.abbreviate(value));
            return Optional.empty();
        }
    }

    private static OptionalLong number(JsonNode match, String key, String where, long min, long max, List<String> problems)
    {
        JsonNode value = match.get(key);
        if (value == null) {
            return OptionalLong.empty();
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() < min || value.longValue() > max) {
            problems.add(where + "." + key + ": must be a whole number from " + min + " to " + max + ", got " + Json.abbreviate(value));
            return OptionalLong.empty();
        }
        return OptionalLong.of(value.longValue());
    }

    private static OptionalInt intNumber(JsonNode match, String key, String where, List<String> problems)
    {
        OptionalLong value = number(match, key, where, 1, Integer.MAX_VALUE, problems);
        return value.isPresent() ? OptionalInt.of((int) value.getAsLong()) : OptionalInt.empty();
    }

    private static void unknownKeys(JsonNode node, List<String> known, String prefix, List<String> problems)
    {
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            String key = fields.next().getKey();
            if (!known.contains(key)) {
                problems.add(prefix + key + ": not a known key; known keys are " + String.join(", ", known));
            }
        }
    }
}
