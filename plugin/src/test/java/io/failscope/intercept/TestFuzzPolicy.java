package io.failscope.intercept;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.failscope.json.Json;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzz target of the policy file parser (docs/fuzzing.md): any bytes, read as the plugin reads its
 * policy file, give a policy or a {@link PolicyException} whose every problem says what is wrong, and
 * nothing else. A policy that parses holds every rule of the file. Seeds: the example policies of
 * {@code config/} and rules of every kind, in {@code TestFuzzPolicyInputs}.
 */
final class TestFuzzPolicy
{
    private static final ObjectMapper MAPPER = Json.newMapper();

    @FuzzTest(maxDuration = "10s")
    void readsAPolicyOrNamesEveryProblem(byte[] input)
            throws Exception
    {
        Policy policy;
        try {
            policy = Interceptor.read(input, "policy.json", MAPPER);
        }
        catch (PolicyException e) {
            assertThat(e.problems()).isNotEmpty().allSatisfy(problem -> assertThat(problem).isNotBlank().hasSizeLessThan(1000));
            return;
        }
        assertThat(policy.rules()).hasSize(MAPPER.readTree(input).path("rules").size());
    }
}
