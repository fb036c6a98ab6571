package io.failscope.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

/** The JSON Schemas of {@code rpc-schema/}, loaded from its jar, and assertions against them. */
public final class Schemas
{
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
    private static final Map<String, JsonSchema> CACHE = new ConcurrentHashMap<>();

    private Schemas() {}

    public static JsonSchema schema(String name)
    {
        return CACHE.computeIfAbsent(name, key -> {
            try (InputStream in = Schemas.class.getResourceAsStream("/schemas/" + key + ".json")) {
                assertThat(in).as("schema %s in rpc-schema", key).isNotNull();
                return FACTORY.getSchema(in);
            }
            catch (IOException e) {
                throw new AssertionError(e);
            }
        });
    }

    public static Set<ValidationMessage> problems(String name, JsonNode json)
    {
        return schema(name).validate(json);
    }

    /** Fails, listing every problem, unless {@code json} is valid against schema {@code name} (e.g. "listhtlcfailures.response"). */
    public static void assertValid(String name, JsonNode json)
    {
        assertThat(problems(name, json)).as("%s against %s", json, name).isEmpty();
    }
}
