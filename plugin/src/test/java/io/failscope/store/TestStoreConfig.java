package io.failscope.store;

import io.failscope.config.ConfigException;
import io.failscope.config.ConfigValues;
import io.failscope.store.postgres.PostgresUrl;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

final class TestStoreConfig
{
    @Test
    void defaultsWaitForTheDisk()
            throws ConfigException
    {
        assertThat(read(Map.of())).isEqualTo(StoreConfig.DEFAULT);
        assertThat(StoreConfig.DEFAULT.synchronous()).isEqualTo(StoreConfig.Synchronous.FULL);
        assertThat(StoreConfig.DEFAULT.commitDelay()).isEqualTo(Duration.ofMillis(50));
    }

    @Test
    void everyKeyIsRead()
            throws ConfigException
    {
        assertThat(read(Map.of("store.synchronous", "normal", "store.commit-delay", "0")))
                .isEqualTo(new StoreConfig(StoreConfig.Synchronous.NORMAL, Duration.ZERO));
        assertThat(read(Map.of("store.synchronous", "full", "store.commit-delay", "250ms")))
                .isEqualTo(new StoreConfig(StoreConfig.Synchronous.FULL, Duration.ofMillis(250)));
        assertThat(read(Map.of("store.commit-delay", "1s")).commitDelay()).isEqualTo(Duration.ofSeconds(1));
        assertThat(read(Map.of("store.retry-buffer", "2500")).retryBuffer()).isEqualTo(2_500);
        assertThat(read(Map.of("store.retry-buffer", "0")).retryBuffer()).isZero();
    }

    @Test
    void theRetryBufferDefaultsToAHundredThousandAndRejectsAnythingOutsideZeroToAMillion()
    {
        assertThat(StoreConfig.DEFAULT.retryBuffer()).isEqualTo(100_000);
        assertThatThrownBy(() -> read(Map.of("store.retry-buffer", "-1")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("store.retry-buffer")
                .hasMessageContaining("-1");
        assertThatThrownBy(() -> read(Map.of("store.retry-buffer", "1000001")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("store.retry-buffer")
                .hasMessageContaining("1000001");
        assertThatThrownBy(() -> read(Map.of("store.retry-buffer", "lots")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("store.retry-buffer")
                .hasMessageContaining("lots");
    }

    @Test
    void rejectsACommitDelayOverASecondOrNotADuration()
    {
        assertThatThrownBy(() -> read(Map.of("store.commit-delay", "2s")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("store.commit-delay: must be between")
                .hasMessageContaining("got '2s'");
        assertThatThrownBy(() -> read(Map.of("store.commit-delay", "fast")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("store.commit-delay: must be a duration")
                .hasMessageContaining("got 'fast'");
        assertThatThrownBy(() -> read(Map.of("store.commit-delay", "-5ms")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("got '-5ms'");
    }

    @Test
    void rejectsAnotherModeNamingTheKeyAndValue()
    {
        assertThatThrownBy(() -> read(Map.of("store.synchronous", "off")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("store.synchronous: must be full or normal, got 'off'");
        assertThatThrownBy(() -> read(Map.of("store.synchronous", "FULL")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("store.synchronous: must be full or normal, got 'FULL'");
    }

    @Test
    void sqliteIsTheDefaultAndStoreUrlChoosesPostgresql()
            throws ConfigException
    {
        assertThat(read(Map.of()).url()).isEmpty();
        StoreConfig fleet = read(Map.of("store.url", "postgresql://failscope@db.example:5433/fleet", "store.password-file", "/etc/failscope/pgpassword"));
        assertThat(fleet.url()).hasValue(new PostgresUrl("failscope", "db.example", 5433, "fleet", Map.of()));
        assertThat(fleet.url().orElseThrow().jdbcUrl()).isEqualTo("jdbc:postgresql://db.example:5433/fleet");
        assertThat(fleet.passwordFile()).hasValue(Path.of("/etc/failscope/pgpassword"));
        // the port defaults to PostgreSQL's, and a relative password file is read beside the config
        ConfigValues values = new ConfigValues(Map.of("store.url", "postgres://ops@10.0.0.5/failscope?sslmode=require", "store.password-file", "pw"));
        StoreConfig relative = StoreConfig.read(values, Path.of("/srv/node1"));
        values.finish();
        assertThat(relative.url()).hasValue(new PostgresUrl("ops", "10.0.0.5", 5432, "failscope", Map.of("sslmode", "require")));
        assertThat(relative.passwordFile()).hasValue(Path.of("/srv/node1/pw"));
        assertThat(relative.url().orElseThrow().toString()).isEqualTo("postgresql://ops@10.0.0.5:5432/failscope?sslmode=require");
    }

    @Test
    void refusesAPasswordInTheUrlWithoutRepeatingIt()
    {
        assertThatThrownBy(() -> read(Map.of("store.url", "postgresql://failscope:s3cret@localhost/fleet")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("store.url: must not contain a password")
                .hasMessageContaining("store.password-file")
                .hasMessageContaining("postgresql://failscope:***@localhost/fleet")
                .hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> read(Map.of("store.url", "postgresql://failscope@localhost/fleet?password=s3cret")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("must not contain a password")
                .hasMessageNotContaining("s3cret");
    }

    @Test
    void rejectsAMalformedUrlOrAPasswordFileWithoutUrl()
    {
        assertThatThrownBy(() -> read(Map.of("store.url", "mysql://root@localhost/fleet")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("store.url: must start with postgresql://")
                .hasMessageContaining("mysql://root@localhost/fleet");
        assertThatThrownBy(() -> read(Map.of("store.url", "postgresql://localhost/fleet")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("store.url: must name the user");
        assertThatThrownBy(() -> read(Map.of("store.url", "postgresql://failscope@localhost:99999/fleet")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("store.url: port must be between 1 and 65535");
        assertThatThrownBy(() -> read(Map.of("store.url", "fleet-db")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("store.url: must look like postgresql://user@host:5432/database, got 'fleet-db'");
        assertThatThrownBy(() -> read(Map.of("store.password-file", "/etc/pw")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("store.password-file: is the password for store.url, which is not set; got '/etc/pw'");
        assertThat(StoreConfig.DEFAULT.withUrl(PostgresUrl.parse("postgresql://a@b/c"), Optional.empty()).url()).isPresent();
    }

    private static StoreConfig read(Map<String, String> values)
            throws ConfigException
    {
        ConfigValues config = new ConfigValues(values);
        StoreConfig store = StoreConfig.read(config);
        config.finish();
        return store;
    }
}
