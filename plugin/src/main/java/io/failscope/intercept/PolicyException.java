package io.failscope.intercept;

import java.util.List;

/** A policy file that cannot be used, with every problem in it. */
public final class PolicyException
        extends Exception
{
    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    public PolicyException(List<String> problems)
    {
        super(String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems()
    {
        return problems;
    }
}
