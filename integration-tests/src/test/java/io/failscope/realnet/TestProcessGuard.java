package io.failscope.realnet;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The harness's promise that nothing it started outlives it, and how it finds the programs. */
final class TestProcessGuard
{
    @Test
    void closeKillsEveryProcessItStartedAndTheirDescendants()
            throws Exception
    {
        ProcessGuard guard = new ProcessGuard();
        // a parent that ignores SIGTERM, with a child of its own, as lightningd has subdaemons
        Process parent = guard.start(new ProcessBuilder("sh", "-c", "trap '' TERM; sleep 300 & wait"));
        ProcessHandle child = Poll.value("the child to start", Duration.ofSeconds(10), () -> parent.descendants().findFirst());
        guard.remember();
        assertThat(guard.running()).contains(parent.pid(), child.pid());

        guard.close();
        assertThat(parent.isAlive()).isFalse();
        assertThat(ProcessGuard.isRunning(child)).isFalse();
        assertThat(guard.running()).isEmpty();
    }

    @Test
    void aChildWhoseParentDiedFirstIsStillKilled()
            throws Exception
    {
        ProcessGuard guard = new ProcessGuard();
        Process parent = guard.start(new ProcessBuilder("sh", "-c", "sleep 300 & wait"));
        ProcessHandle child = Poll.value("the child to start", Duration.ofSeconds(10), () -> parent.descendants().findFirst());
        guard.remember();
        parent.destroyForcibly().waitFor();
        assertThat(ProcessGuard.isRunning(child)).as("orphaned, still running").isTrue();

        guard.close();
        assertThat(ProcessGuard.isRunning(child)).isFalse();
    }

    @Test
    void theSuiteTakesTheProgramsOnlyFromAllFourVariables()
    {
        Map<String, String> all = Map.of("BITCOIND", "/opt/b/bitcoind", "BITCOIN_CLI", "/opt/b/bitcoin-cli", "LIGHTNINGD", "/opt/l/lightningd", "LIGHTNING_CLI", "/opt/l/lightning-cli");
        assertThat(Binaries.fromEnvironment(all)).hasValue(new Binaries(Path.of("/opt/b/bitcoind"), Path.of("/opt/b/bitcoin-cli"), Path.of("/opt/l/lightningd"), Path.of("/opt/l/lightning-cli")));
        assertThat(Binaries.fromEnvironment(Map.of("BITCOIND", "/opt/b/bitcoind"))).isEmpty();
        assertThat(Binaries.fromEnvironment(Map.of())).isEqualTo(Optional.empty());
    }

    @Test
    void theDemoNamesEveryProgramItFindsNowhere()
    {
        Binaries.Lookup lookup = Binaries.fromEnvironmentOrPath(Map.of("PATH", "/nonexistent", "LIGHTNINGD", "/nonexistent/lightningd"));
        assertThat(lookup.binaries()).isEmpty();
        assertThat(lookup.missing()).isEqualTo(List.of("bitcoind", "bitcoin-cli", "lightningd", "lightning-cli"));
    }
}
