package io.failscope.it;

import io.failscope.sim.PluginProcess;
import io.failscope.sim.Simulator;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The simulator's command line refuses a bad option before starting anything, naming the option and the value. */
final class TestSimulatorOptions
{
    @TempDir
    Path directory;

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', textBlock = """
            --htlcs        | -5               | --htlcs must be 0 or more, got -5
            --window       | 0                | --window, --epoch and --report-every must be at least 1, got 0, 1000, 100000
            --launcher     | /no/such/plugin  | --launcher /no/such/plugin is not an executable file
            --policy       | /no/such/policy  | --policy /no/such/policy is not a file
            --nodes        | 0                | --nodes must be between 1 and 64, got 0
            --nodes        | 4                | --nodes 4 needs --store-url, the PostgreSQL database the nodes' plugins share
            """)
    void aBadOptionIsRefusedNamingItsValue(String option, String value, String message)
    {
        String launcher = PluginProcess.LAUNCHER.toString();
        String policy = PluginProcess.LAUNCHER.getParent().getParent().resolve("config/demo-policy.json").toString();
        String[] args = switch (option) {
            case "--launcher" -> new String[] {option, value, "--policy", policy, "--dir", directory.toString()};
            case "--policy" -> new String[] {"--launcher", launcher, option, value, "--dir", directory.toString()};
            default -> new String[] {"--launcher", launcher, "--policy", policy, "--dir", directory.toString(), option, value};
        };
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        PrintStream original = System.err;
        System.setErr(new PrintStream(errors, true, StandardCharsets.UTF_8));
        int exit;
        try {
            exit = new CommandLine(new Simulator()).execute(args);
        }
        finally {
            System.setErr(original);
        }
        assertThat(exit).isEqualTo(2);
        assertThat(errors.toString(StandardCharsets.UTF_8)).isEqualTo("failscope-simulator: " + message + System.lineSeparator());
        assertThat(directory).isEmptyDirectory();
    }
}
