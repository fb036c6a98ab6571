package io.failscope.dialect.cln;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.inject.Binding;
import com.google.inject.Key;
import com.google.inject.Module;
import com.google.inject.multibindings.MapBinderBinding;
import com.google.inject.multibindings.MultibinderBinding;
import com.google.inject.multibindings.MultibindingsTargetVisitor;
import com.google.inject.multibindings.OptionalBinderBinding;
import com.google.inject.spi.DefaultBindingTargetVisitor;
import com.google.inject.spi.Element;
import com.google.inject.spi.Elements;
import com.google.inject.util.Types;
import io.failscope.config.ConfigKey;
import io.failscope.config.FailscopeConfig;
import io.failscope.dialect.NodeEvent;
import io.failscope.dialect.NodeHook;
import io.failscope.json.Json;
import io.failscope.rpc.RpcMethod;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The {@code getmanifest} answer ({@code cln-plugin-protocol.md} §1.4), read off the modules failscope
 * runs with, before anything is built: every option from the configuration keys, every command bound as
 * a method, every hook and event the Core Lightning dialect binds. A method or a hook is declared once,
 * where it is bound. Touches no file.
 */
public final class ClnManifest
{
    /** Handled by the plugin's lifecycle itself, not by a bound event. */
    static final String SHUTDOWN = "shutdown";

    private ClnManifest() {}

    public static ObjectNode of(List<Module> modules)
    {
        List<Element> elements = Elements.getElements(modules);
        ObjectNode manifest = Json.object();
        ArrayNode options = manifest.putArray("options");
        for (ConfigKey key : FailscopeConfig.KEYS) {
            ObjectNode option = options.addObject();
            option.put("name", key.optionName());
            option.put("type", "string");
            if (key.defaultValue() != null) {
                option.put("default", key.defaultValue());
            }
            option.put("description", key.description());
        }
        ArrayNode methods = manifest.putArray("rpcmethods");
        keys(elements, RpcMethod.Info.class, RpcMethod.class).stream()
                .map(RpcMethod.Info.class::cast)
                .forEach(method -> methods.addObject()
                        .put("name", method.name())
                        .put("usage", method.usage())
                        .put("description", method.description()));
        ArrayNode subscriptions = manifest.putArray("subscriptions");
        Stream.concat(names(elements, NodeEvent.class).stream(), Stream.of(SHUTDOWN)).forEach(subscriptions::add);
        ArrayNode hooks = manifest.putArray("hooks");
        names(elements, NodeHook.class).forEach(name -> hooks.addObject().put("name", name));
        // custom notifications failscope sends; lightningd drops a topic not declared here (§1.9)
        manifest.putArray("notifications").addObject().put("method", HtlcFailureRecorded.TOPIC);
        manifest.put("dynamic", true);
        manifest.put("nonnumericids", true);
        return manifest;
    }

    private static List<String> names(List<Element> elements, Class<?> valueType)
    {
        return keys(elements, String.class, valueType).stream().map(String.class::cast).toList();
    }

    /** The keys bound into the map binder of {@code Map<keyType, valueType>}, in the order they were bound. */
    private static List<Object> keys(List<Element> elements, Class<?> keyType, Class<?> valueType)
    {
        Key<?> mapKey = Key.get(Types.mapOf(keyType, valueType));
        for (Element element : elements) {
            if (element instanceof Binding<?> binding && binding.getKey().equals(mapKey)) {
                MapBinderBinding<?> map = binding.acceptTargetVisitor(new MapBinderOnly());
                if (map != null) {
                    return map.getEntries(elements).stream().map(Map.Entry::getKey).map(Object.class::cast).toList();
                }
            }
        }
        return List.of();
    }

    private static final class MapBinderOnly
            extends DefaultBindingTargetVisitor<Object, MapBinderBinding<?>>
            implements MultibindingsTargetVisitor<Object, MapBinderBinding<?>>
    {
        @Override
        public MapBinderBinding<?> visit(MultibinderBinding<?> multibinding)
        {
            return null;
        }

        @Override
        public MapBinderBinding<?> visit(MapBinderBinding<?> mapbinding)
        {
            return mapbinding;
        }

        @Override
        public MapBinderBinding<?> visit(OptionalBinderBinding<?> optionalbinding)
        {
            return null;
        }
    }
}
