package io.failscope.it;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * config/prometheus/failscope-rules.yml is valid for Prometheus ({@code promtool check rules}) and its
 * alerts fire when, and only when, its unit tests say ({@code promtool test rules}).
 */
final class TestPrometheusRules
{
    private static final Path RULES = Prometheus.ROOT.resolve("config/prometheus/failscope-rules.yml");
    private static final Path RULE_TESTS = Prometheus.ROOT.resolve("config/prometheus/failscope-rules.test.yml");

    @Test
    void theRulesAreValid()
            throws Exception
    {
        Map.Entry<Integer, String> checked = Prometheus.run(List.of(Prometheus.promtool().toString(), "check", "rules", RULES.toString()));
        assertThat(checked.getValue()).contains("SUCCESS");
        assertThat(checked.getKey()).as(checked.getValue()).isZero();
    }

    @Test
    void theAlertsFireAsTheirUnitTestsSay()
            throws Exception
    {
        Map.Entry<Integer, String> tested = Prometheus.run(List.of(Prometheus.promtool().toString(), "test", "rules", RULE_TESTS.toString()));
        assertThat(tested.getKey()).as(tested.getValue()).isZero();
        assertThat(tested.getValue()).contains("SUCCESS");
    }
}
