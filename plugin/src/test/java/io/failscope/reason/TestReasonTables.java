package io.failscope.reason;

import io.failscope.testing.Csv;
import io.failscope.testing.SpecLayout;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.SoftAssertions.assertSoftly;

/** The failure vocabulary against the two reference tables, row by row. */
final class TestReasonTables
{
    private static final List<Map<String, String>> CODES = Csv.read("/reference/bolt04-failure-codes.csv");
    private static final List<Map<String, String>> REASONS = Csv.read("/reference/local-failure-reasons.csv");

    @Test
    void everyBolt04CodeIsKnownWithItsFlagsNameAndLayout()
    {
        assertThat(CODES).hasSize(26);
        assertSoftly(softly -> {
            for (Map<String, String> row : CODES) {
                FailureCode code = FailureCode.forSpecName(row.get("name")).orElse(null);
                softly.assertThat(code).as(row.get("name")).isNotNull();
                if (code == null) {
                    continue;
                }
                softly.assertThat(code.code()).as(row.get("name")).isEqualTo(Integer.parseInt(row.get("type_decimal")));
                softly.assertThat(code.code()).as(row.get("name")).isEqualTo(Integer.decode(row.get("type_hex")));
                Set<String> flags = row.get("flags").equals("none") ? Set.of() : Set.of(row.get("flags").split("\\|"));
                softly.assertThat(code.flags().stream().map(FailureFlag::name).collect(Collectors.toSet())).as(row.get("name")).isEqualTo(flags);
                softly.assertThat(code.status() == FailureCode.Status.REMOVED).as(row.get("name")).isEqualTo(row.get("status").equals("deprecated"));
                softly.assertThat(code.wireName()).isEqualTo("WIRE_" + row.get("name").toUpperCase());
                softly.assertThat(code.layout().isEmpty() ? "none" : String.join(";", SpecLayout.of(code))).as(row.get("name")).isEqualTo(row.get("data_fields"));
            }
        });
    }

    @Test
    void aCodeNumberMapsToItsCurrentNameEvenWhenARemovedNameSharesIt()
    {
        assertThat(FailureCode.forCode(0x400F)).contains(FailureCode.INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS);
        assertThat(FailureCode.forCode(0x4001)).contains(FailureCode.INVALID_REALM);
        assertThat(FailureCode.forCode(0x1234)).isEmpty();
        assertThat(FailureCode.wireName(0x1007)).isEqualTo("WIRE_TEMPORARY_CHANNEL_FAILURE");
        assertThat(FailureCode.wireName(0x5555)).isEqualTo("UNKNOWN 21845");
    }

    @Test
    void everyLocalReasonHasItsIndexWireCodeAndCanonicalFlag()
    {
        assertThat(REASONS).hasSize(46);
        assertSoftly(softly -> {
            for (Map<String, String> row : REASONS) {
                int index = Integer.decode(row.get("index"));
                LocalReason reason = LocalReason.forIndex(index).orElse(null);
                softly.assertThat(reason).as("index %s (%s)", index, row.get("variant")).isNotNull();
                if (reason == null) {
                    continue;
                }
                softly.assertThat(reason.snakeName()).as("index %s", index).isEqualTo(snakeCase(row.get("variant")));
                softly.assertThat(reason.isCanonical()).as(reason.snakeName()).isEqualTo(row.get("canonical_for_code").equals("yes"));
                if (reason == LocalReason.UNKNOWN_FAILURE_CODE) {
                    softly.assertThat(reason.carriesOwnCode()).isTrue();
                    continue;
                }
                FailureCode code = reason.fixedCode().orElseThrow();
                softly.assertThat(code.code()).as(reason.snakeName()).isEqualTo(Integer.parseInt(row.get("code_decimal")));
                softly.assertThat(code.specName()).as(reason.snakeName()).isEqualTo(row.get("wire_name"));
                softly.assertThat(FailureReason.of(reason).wireCode()).isEqualTo(code.code());
            }
        });
    }

    @Test
    void everyWireCodeMapsToTheCanonicalReasonTheTableNames()
    {
        Set<Integer> seen = new HashSet<>();
        for (Map<String, String> row : REASONS) {
            if (row.get("canonical_for_code").equals("yes")) {
                int code = Integer.parseInt(row.get("code_decimal"));
                assertThat(seen.add(code)).as("one canonical reason per code: %s", code).isTrue();
                assertThat(LocalReason.canonicalFor(code).snakeName()).as("code %s", code).isEqualTo(snakeCase(row.get("variant")));
            }
        }
        // Every code of the BOLT #4 table: current ones have a canonical reason, removed ones have none.
        for (Map<String, String> row : CODES) {
            int code = Integer.parseInt(row.get("type_decimal"));
            FailureReason reason = FailureReason.canonicalFor(code);
            assertThat(reason.wireCode()).isEqualTo(code);
            if (row.get("status").equals("current") || row.get("name").equals("unknown_payment_hash")) {
                assertThat(reason.reason()).as(row.get("name")).isNotEqualTo(LocalReason.UNKNOWN_FAILURE_CODE);
                assertThat(seen).contains(code);
            }
            else {
                assertThat(reason.reason()).as(row.get("name")).isEqualTo(LocalReason.UNKNOWN_FAILURE_CODE);
            }
        }
        // A code nobody assigned keeps its number.
        assertThat(FailureReason.canonicalFor(0x7777)).isEqualTo(new FailureReason(LocalReason.UNKNOWN_FAILURE_CODE, 0x7777));
    }

    @Test
    void failscopeRefinementsHaveTheirOwnIndexRangeAndAnExplanation()
    {
        Set<Integer> csvIndexes = REASONS.stream().map(row -> Integer.decode(row.get("index"))).collect(Collectors.toSet());
        Set<Integer> indexes = new HashSet<>();
        for (LocalReason reason : LocalReason.values()) {
            assertThat(indexes.add(reason.index())).as("index %s used once", reason.index()).isTrue();
            assertThat(reason.explanation()).as(reason.snakeName()).isNotBlank().doesNotContain("\n");
            assertThat(reason.snakeName()).matches("[a-z][a-z0-9_]*");
            if (!csvIndexes.contains(reason.index())) {
                assertThat(reason.index()).as("a failscope refinement (%s) sits above LDK's u8 range", reason.snakeName()).isGreaterThanOrEqualTo(256);
                assertThat(reason.isCanonical()).isFalse();
            }
        }
        assertThat(Stream.of(LocalReason.values()).filter(reason -> reason.index() >= 256).map(LocalReason::snakeName))
                .contains("too_many_htlcs", "peer_max_in_flight_exceeded", "policy_failed", "operator_failed", "hold_deadline");
    }

    @Test
    void aReasonWithAFixedCodeRefusesAnotherCode()
    {
        assertThat(new FailureReason(LocalReason.POLICY_FAILED, 0x400A).wireName()).isEqualTo("WIRE_UNKNOWN_NEXT_PEER");
        assertThatThrownBy(() -> new FailureReason(LocalReason.HTLC_MAXIMUM, 0x2002))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("reason htlc_maximum goes out as 0x1007, not 0x2002");
        assertThatThrownBy(() -> FailureReason.of(LocalReason.OPERATOR_FAILED))
                .hasMessageContaining("operator_failed needs its wire code");
    }

    /** LDK's CamelCase variant name in snake_case: {@code InvalidOnionHMAC} becomes {@code invalid_onion_hmac}. */
    private static String snakeCase(String variant)
    {
        return variant.replaceAll("([a-z0-9])([A-Z])", "$1_$2").replaceAll("([A-Z])([A-Z][a-z])", "$1_$2").toLowerCase();
    }
}
