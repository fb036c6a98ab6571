package io.failscope.intercept;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.failscope.json.Json;
import io.failscope.rpc.Params;
import io.failscope.rpc.RpcErrorCode;
import io.failscope.rpc.RpcException;
import io.failscope.rpc.RpcMethod;
import jakarta.inject.Inject;

import java.util.List;
import java.util.Locale;

import static java.util.Objects.requireNonNull;

/** {@code reloadpolicy} and {@code listpolicy}: the operator's handles on the interception rules. */
public final class PolicyMethods
{
    private PolicyMethods() {}

    public static final class ReloadPolicy
            implements RpcMethod
    {
        public static final RpcMethod.Info INFO = new RpcMethod.Info("reloadpolicy", List.of(),
                "Read the interception policy file again and swap its rules in at once; a file with problems is refused, every problem listed, and the old rules stay.");

        private final Interceptor interceptor;

        @Inject
        public ReloadPolicy(Interceptor interceptor)
        {
            this.interceptor = requireNonNull(interceptor, "interceptor is null");
        }

        @Override
        public JsonNode invoke(Params params)
                throws RpcException
        {
            try {
                return describe(interceptor.reload(), interceptor);
            }
            catch (PolicyException e) {
                ObjectNode data = Json.object();
                ArrayNode problems = data.putArray("problems");
                e.problems().forEach(problems::add);
                throw new RpcException(RpcErrorCode.POLICY_INVALID, "the policy file cannot be used, the old rules stay: " + e.getMessage(), data);
            }
        }
    }

    public static final class ListPolicy
            implements RpcMethod
    {
        public static final RpcMethod.Info INFO = new RpcMethod.Info("listpolicy", List.of(), "The interception rules in force, in order, with how many HTLCs each has matched.");

        private final Interceptor interceptor;

        @Inject
        public ListPolicy(Interceptor interceptor)
        {
            this.interceptor = requireNonNull(interceptor, "interceptor is null");
        }

        @Override
        public JsonNode invoke(Params params)
        {
            return describe(interceptor.policy(), interceptor);
        }
    }

    static ObjectNode describe(Policy policy, Interceptor interceptor)
    {
        ObjectNode result = Json.object();
        interceptor.file().ifPresent(file -> result.put("file", file.toString()));
        ArrayNode rules = result.putArray("rules");
        for (PolicyRule rule : policy.rules()) {
            ObjectNode item = rules.addObject()
                    .put("name", rule.name())
                    .put("action", rule.action().name().toLowerCase(Locale.ROOT));
            rule.fail().ifPresent(choice -> item.put("code", choice.failure().specName()));
            item.put("dry_run", rule.dryRun());
            item.put("matched", interceptor.hits(rule.name()));
        }
        return result;
    }
}
