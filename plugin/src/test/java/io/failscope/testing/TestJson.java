package io.failscope.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.failscope.json.Json;

/** failscope's own mapper, for tests that read and write JSON as the plugin does. */
public final class TestJson
{
    public static final ObjectMapper MAPPER = Json.newMapper();

    private TestJson() {}
}
