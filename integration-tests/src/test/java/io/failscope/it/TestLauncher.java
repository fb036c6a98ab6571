package io.failscope.it;

import io.failscope.sim.PluginProcess;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** bin/failscope as a person runs it from a shell. */
final class TestLauncher
{
    private record Run(int exit, String stdout, String stderr) {}

    private static Run run(String... args)
            throws IOException, InterruptedException
    {
        String[] command = new String[args.length + 1];
        command[0] = PluginProcess.LAUNCHER.toString();
        System.arraycopy(args, 0, command, 1, args.length);
        Process process = new ProcessBuilder(command).start();
        process.getOutputStream().close();
        byte[] stdout = process.getInputStream().readAllBytes();
        byte[] stderr = process.getErrorStream().readAllBytes();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(process.exitValue(), new String(stdout, StandardCharsets.UTF_8), new String(stderr, StandardCharsets.UTF_8));
    }

    @Test
    void helpAndVersionAnswerOnStdoutAndExitZero()
            throws Exception
    {
        Run help = run("--help");
        assertThat(help.exit()).isZero();
        assertThat(help.stdout()).startsWith("usage: failscope --conf FILE").contains("failscope demo").contains("plugin=/path/to/failscope/bin/failscope");
        Run version = run("--version");
        assertThat(version.exit()).isZero();
        assertThat(version.stdout()).matches("failscope \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?\\R");
    }

    @Test
    void anythingElseGetsTheUsageOnStderrAndExitTwo()
            throws Exception
    {
        Run wrong = run("--frobnicate");
        assertThat(wrong.exit()).isEqualTo(2);
        assertThat(wrong.stdout()).isEmpty();
        assertThat(wrong.stderr()).contains("usage: failscope --conf FILE");
    }
}
