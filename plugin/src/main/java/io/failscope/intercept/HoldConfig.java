package io.failscope.intercept;

import io.failscope.config.ConfigKey;
import io.failscope.config.ConfigValues;

import java.time.Duration;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * How long an HTLC a rule holds may wait for the operator: until its hold timeout passes or its
 * remaining CLTV reaches the safety margin, whichever comes first; then it is released as configured.
 * A held HTLC is always released long before its expiry: an upstream peer force-closes a channel whose
 * HTLC nears expiry unresolved ({@code cln-plugin-protocol.md} §2.5).
 */
public record HoldConfig(Duration timeout, long cltvMargin, boolean releaseByFailing)
{
    public static final ConfigKey TIMEOUT = new ConfigKey("hold.timeout", "60s", "How long an HTLC held by a policy rule waits for the operator before it is released.");
    public static final ConfigKey CLTV_MARGIN = new ConfigKey("hold.cltv-margin", "18", "A held HTLC is released when this few blocks remain before its expiry, whatever its timeout.");
    public static final ConfigKey RELEASE = new ConfigKey("hold.release", "fail", "What happens to a held HTLC at its deadline: fail (temporary_node_failure) or continue.");
    public static final List<ConfigKey> KEYS = List.of(TIMEOUT, CLTV_MARGIN, RELEASE);

    public static final HoldConfig DEFAULT = new HoldConfig(Duration.ofSeconds(60), 18, true);

    public HoldConfig
    {
        requireNonNull(timeout, "timeout is null");
    }

    public static HoldConfig read(ConfigValues values)
    {
        Duration timeout = values.getDuration(TIMEOUT, Duration.ofMillis(100), Duration.ofDays(1));
        long margin = values.getLong(CLTV_MARGIN, 1, 2016);
        String release = values.getString(RELEASE);
        if (!release.equals("fail") && !release.equals("continue")) {
            values.problem(RELEASE.key(), "must be fail or continue, got '" + release + "'");
        }
        return new HoldConfig(timeout, margin, !release.equals("continue"));
    }
}
