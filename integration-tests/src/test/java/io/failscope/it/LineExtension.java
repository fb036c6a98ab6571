package io.failscope.it;

import io.failscope.realnet.Line;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * A → B → C for one {@code TestRealNetwork*} class: started before its tests (or the class is skipped,
 * saying how to enable it), stopped after them whatever happened, and then checked to have left no
 * process running. A policy file, when the class has one, is written first; {@code {policy}} in a
 * node's options stands for its path.
 */
final class LineExtension
        implements BeforeAllCallback, AfterAllCallback
{
    private final Optional<String> policy;
    private final List<List<String>> options;
    private Path policyFile;
    private Line line;

    LineExtension(Optional<String> policy, List<String> aOptions, List<String> bOptions, List<String> cOptions)
    {
        this.policy = requireNonNull(policy, "policy is null");
        this.options = List.of(List.copyOf(aOptions), List.copyOf(bOptions), List.copyOf(cOptions));
    }

    @Override
    public void beforeAll(ExtensionContext context)
            throws Exception
    {
        RealNetwork.binaries();
        if (policy.isPresent()) {
            policyFile = Files.createTempFile("realnet-policy-", ".json");
            Files.writeString(policyFile, policy.get());
        }
        line = RealNetwork.line(withPolicy(options.get(0)), withPolicy(options.get(1)), withPolicy(options.get(2)));
    }

    private List<String> withPolicy(List<String> nodeOptions)
    {
        return nodeOptions.stream().map(option -> policyFile == null ? option : option.replace("{policy}", policyFile.toString())).toList();
    }

    @Override
    public void afterAll(ExtensionContext context)
            throws Exception
    {
        try {
            if (line != null) {
                line.close();
            }
        }
        finally {
            if (policyFile != null) {
                Files.deleteIfExists(policyFile);
            }
        }
    }

    Line line()
    {
        return line;
    }

    /** The policy file's path, for a {@code plugin start} that must name it again. */
    Path policyFile()
    {
        return policyFile;
    }
}
