package io.failscope.realnet;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The installed Core Lightning and Bitcoin Core programs, named by the environment variables
 * pyln-testing reads ({@code BITCOIND}, {@code BITCOIN_CLI}, {@code LIGHTNINGD}, {@code LIGHTNING_CLI}).
 * lightningd finds its subdaemons next to itself, so the programs are used where they are installed.
 */
public record Binaries(Path bitcoind, Path bitcoinCli, Path lightningd, Path lightningCli)
{
    /** The variables and the program each names, in the order they are reported. */
    public static final Map<String, String> VARIABLES = variables();

    /** What the real-network suite prints, once, when it is not enabled. */
    public static final String SKIP_LINE = "real-network suite skipped: set BITCOIND, BITCOIN_CLI, LIGHTNINGD and LIGHTNING_CLI (see README, \"The real-network suite\")";

    public Binaries
    {
        requireNonNull(bitcoind, "bitcoind is null");
        requireNonNull(bitcoinCli, "bitcoinCli is null");
        requireNonNull(lightningd, "lightningd is null");
        requireNonNull(lightningCli, "lightningCli is null");
    }

    private static Map<String, String> variables()
    {
        Map<String, String> variables = new LinkedHashMap<>();
        variables.put("BITCOIND", "bitcoind");
        variables.put("BITCOIN_CLI", "bitcoin-cli");
        variables.put("LIGHTNINGD", "lightningd");
        variables.put("LIGHTNING_CLI", "lightning-cli");
        return variables;
    }

    /** All four from the variables (the suite's rule: nothing is guessed); empty if any is unset. */
    public static Optional<Binaries> fromEnvironment(Map<String, String> environment)
    {
        List<Path> found = new ArrayList<>();
        for (String variable : VARIABLES.keySet()) {
            String value = environment.get(variable);
            if (value == null || value.isBlank()) {
                return Optional.empty();
            }
            found.add(Path.of(value).toAbsolutePath());
        }
        return Optional.of(new Binaries(found.get(0), found.get(1), found.get(2), found.get(3)));
    }

    /**
     * Each from its variable, or else from {@code PATH} (the demo's rule: whoever has the programs
     * installed can run it). The result names every program that was found nowhere.
     */
    public static Lookup fromEnvironmentOrPath(Map<String, String> environment)
    {
        List<Path> found = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (Map.Entry<String, String> entry : VARIABLES.entrySet()) {
            Optional<Path> program = Optional.ofNullable(environment.get(entry.getKey()))
                    .filter(value -> !value.isBlank())
                    .map(value -> Path.of(value).toAbsolutePath())
                    .or(() -> onPath(entry.getValue(), environment.getOrDefault("PATH", "")));
            program.filter(Files::isExecutable).ifPresentOrElse(found::add, () -> missing.add(entry.getValue()));
        }
        if (!missing.isEmpty()) {
            return new Lookup(Optional.empty(), missing);
        }
        return new Lookup(Optional.of(new Binaries(found.get(0), found.get(1), found.get(2), found.get(3))), List.of());
    }

    /** What {@link #fromEnvironmentOrPath} found: the programs, or the ones it could not find. */
    public record Lookup(Optional<Binaries> binaries, List<String> missing)
    {
        public Lookup
        {
            requireNonNull(binaries, "binaries is null");
            missing = List.copyOf(missing);
        }
    }

    private static Optional<Path> onPath(String program, String path)
    {
        for (String directory : path.split(File.pathSeparator)) {
            if (!directory.isEmpty()) {
                Path candidate = Path.of(directory, program);
                if (Files.isExecutable(candidate)) {
                    return Optional.of(candidate.toAbsolutePath());
                }
            }
        }
        return Optional.empty();
    }
}
