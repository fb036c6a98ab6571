package io.failscope.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.failscope.json.Json;
import io.failscope.rpc.Params;
import io.failscope.rpc.RpcMethod;
import jakarta.inject.Inject;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * {@code failscope-status} (named as Core Lightning names its plugins' status commands, like
 * {@code autoclean-status}): what failscope is, how long it has run, and each feature's own report:
 * the store's health and its cause, records written, waiting and dropped, the hooks answered and failed
 * open, the node's context, the policy in force.
 */
public final class FailscopeStatus
        implements RpcMethod
{
    public static final RpcMethod.Info INFO = new RpcMethod.Info("failscope-status", List.of(),
            "failscope's health: version, dialect, uptime; the store (health and cause, records written, waiting, dropped), capture, hooks, the node's context and the policy.");

    private final PluginInfo plugin;
    private final Set<StatusSection> sections;
    private final Clock clock;

    @Inject
    public FailscopeStatus(PluginInfo plugin, Set<StatusSection> sections, Clock clock)
    {
        this.plugin = requireNonNull(plugin, "plugin is null");
        this.sections = requireNonNull(sections, "sections is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    @Override
    public JsonNode invoke(Params params)
    {
        ObjectNode status = Json.object()
                .put("version", plugin.version())
                .put("dialect", plugin.dialect())
                .put("uptime_seconds", Duration.between(plugin.startedAt(), clock.instant()).toSeconds());
        for (StatusSection section : sections) {
            status.set(section.name(), section.report());
        }
        return status;
    }
}
