package io.failscope.realnet;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * What failscope costs the node it serves ({@code docs/benchmarks.md}): storms of failing HTLCs
 * through B on a real regtest network, with failscope loaded in B and not loaded, alternating in
 * one run on one network. After each (re)start of failscope the first storm is "cold", the next
 * ones "steady" (the JIT keeps compiling for a while: {@code --steady} storms show when it is done).
 */
@Command(name = "storm-benchmark", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Storms of fee-too-low HTLCs through B, with and without failscope, on a real regtest network (BITCOIND, BITCOIN_CLI, LIGHTNINGD, LIGHTNING_CLI).")
public final class StormBenchmark
        implements Callable<Integer>
{
    private static final String PLUGIN_JAR = "failscope-plugin.jar";

    @Option(names = "--htlcs", description = "HTLCs per storm (default: ${DEFAULT-VALUE}).", defaultValue = "5000")
    int htlcs;

    @Option(names = "--in-flight", description = "HTLCs A keeps in flight (default: ${DEFAULT-VALUE}; B accepts at most 483 on one channel).", defaultValue = "300")
    int inFlight;

    @Option(names = "--rounds", description = "Rounds of (failscope: cold, steady; without: two storms) (default: ${DEFAULT-VALUE}).", defaultValue = "2")
    int rounds;

    @Option(names = "--steady", description = "Storms with failscope after the cold one in each round (default: ${DEFAULT-VALUE}).", defaultValue = "1")
    int steady;

    @Option(names = "--launcher", description = "The failscope launcher (default: ${DEFAULT-VALUE}).", defaultValue = "bin/failscope")
    Path launcher;

    @Option(names = "--log-level", description = "lightningd's --log-level in all three nodes (default: ${DEFAULT-VALUE}, as a production node).", defaultValue = "info")
    String logLevel;

    public static void main(String[] args)
    {
        System.exit(new CommandLine(new StormBenchmark()).execute(args));
    }

    @Override
    public Integer call()
            throws Exception
    {
        Optional<Binaries> binaries = Binaries.fromEnvironment(System.getenv());
        if (binaries.isEmpty()) {
            System.err.println("storm-benchmark: set BITCOIND, BITCOIN_CLI, LIGHTNINGD and LIGHTNING_CLI");
            return 2;
        }
        String plugin = "--plugin=" + launcher.toAbsolutePath();
        String level = "--log-level=" + logLevel;
        System.out.printf(Locale.ROOT, "%,d HTLCs per storm, %d in flight, lightningd %s%n", htlcs, inFlight, level);
        // A's channel is as large as a channel without wumbo may be: hundreds of HTLCs in flight each reserve commitment fee
        try (Line line = Line.start(binaries.get(), List.of(level), List.of(level, plugin), List.of(level), 16_000_000, false)) {
            Storm storm = new Storm(line, inFlight);
            // a small storm first, so that both configurations meet warmed-up nodes
            storm.run(Math.min(500, htlcs), plugin(line));
            System.out.printf(Locale.ROOT, "%-20s %8s %14s %14s %14s %14s %8s%n", "storm", "HTLCs/s", "failed (other)", "B lightningd", "failscope", "A lightningd", "records");
            System.out.printf(Locale.ROOT, "%-20s %8s %14s %14s %14s %14s %8s%n", "", "", "", "ms CPU/HTLC", "ms CPU/HTLC", "ms CPU/HTLC", "");
            boolean exact = true;
            for (int round = 0; round < rounds; round++) {
                if (round > 0) {
                    line.b().cli("-k", "plugin", "subcommand=start", "plugin=" + launcher.toAbsolutePath());
                }
                exact &= print("failscope, cold", storm.run(htlcs, plugin(line)));
                for (int i = 1; i <= steady; i++) {
                    exact &= print(steady == 1 ? "failscope, steady" : "failscope, steady " + i, storm.run(htlcs, plugin(line)));
                }
                line.b().cli("plugin", "stop", "failscope");
                print("without failscope", storm.run(htlcs, Optional.empty()));
                print("without failscope", storm.run(htlcs, Optional.empty()));
            }
            System.out.println(exact ? "failscope recorded every failed HTLC exactly once" : "failscope's records DIFFER from the HTLCs B failed");
            return exact ? 0 : 1;
        }
    }

    private static Optional<ProcessHandle> plugin(Line line)
    {
        return line.b().plugins(PLUGIN_JAR).stream().findFirst();
    }

    /** Prints a row; true when failscope (if loaded) recorded exactly the HTLCs B failed. */
    private static boolean print(String name, Storm.Result result)
    {
        System.out.printf(Locale.ROOT, "%-20s %8.1f %8d (%3d) %14.3f %14s %14.3f %8s%n", name, result.htlcsPerSecond(), result.failed(), result.other(),
                result.lightningdCpuMillisPerHtlc(),
                result.pluginCpuMillisPerHtlc().map(millis -> String.format(Locale.ROOT, "%.3f", millis)).orElse("-"),
                result.senderCpuSeconds() * 1000 / result.failed(),
                result.records().isPresent() ? Long.toString(result.records().getAsLong()) : "-");
        return result.records().isEmpty() || result.records().getAsLong() == result.failed();
    }
}
