package io.failscope.config;

import java.util.List;

import static java.util.Objects.requireNonNull;

/** A configuration that cannot work, with every problem found (not only the first). */
public final class ConfigException extends Exception
{
    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    public ConfigException(List<String> problems)
    {
        super(String.join("; ", problems));
        this.problems = List.copyOf(requireNonNull(problems, "problems is null"));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a configuration error needs at least one problem");
        }
    }

    public List<String> problems()
    {
        return problems;
    }
}
