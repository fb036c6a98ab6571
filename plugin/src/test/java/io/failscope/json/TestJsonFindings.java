package io.failscope.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.DecimalNode;
import io.failscope.rpc.RpcException;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Inputs the fuzz targets found (docs/fuzzing.md), each kept as the case that failed before its fix. */
final class TestJsonFindings
{
    private static final ObjectMapper MAPPER = Json.newMapper();

    @Test
    void aNumberWhoseExponentNoDecimalHoldsIsAParseError()
    {
        JsonProcessingException e = catchThrowableOfType(
                () -> Json.read(MAPPER, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"listhtlcfailures\",\"params\":{\"limit\":1e2147483648}}".getBytes(StandardCharsets.UTF_8)),
                JsonProcessingException.class);
        assertThat(e.getOriginalMessage()).startsWith("a number out of range: ").contains("1e2147483648");
    }

    @Test
    void aTimeBelowANanosecondIsTheEpochWithoutArithmetic()
    {
        assertThat(Json.instant(new BigDecimal("1e-2147483647"))).contains(Instant.EPOCH);
        assertThat(Json.instant(new BigDecimal("9.99e-10"))).contains(Instant.EPOCH);
        assertThat(Json.instant(new BigDecimal("1e-9"))).contains(Instant.ofEpochSecond(0, 1));
        assertThat(Json.instant(new BigDecimal("1755675000.1234567891"))).contains(Instant.ofEpochSecond(1_755_675_000L, 123_456_789));
    }

    @Test
    void anInvalidNumberWithAHugeExponentIsQuotedAsTextSoTheErrorCanBeSent()
            throws Exception
    {
        RpcException e = RpcException.invalidParam("min_msat", DecimalNode.valueOf(new BigDecimal("1E+2147483647")), "should be an amount in msat");
        String written = MAPPER.writeValueAsString(e.toJson());
        assertThat(written).isEqualTo("{\"code\":-32602,\"message\":\"min_msat: should be an amount in msat, got 1E+2147483647\",\"data\":{\"param\":\"min_msat\",\"value\":\"1E+2147483647\"}}");
        RpcException small = RpcException.invalidParam("min_msat", DecimalNode.valueOf(new BigDecimal("1.5")), "should be an amount in msat");
        assertThat(MAPPER.writeValueAsString(small.toJson())).contains("\"value\":1.5");
    }
}
