package io.failscope.intercept;

import java.util.OptionalLong;

/** The block height as the node reports it ({@code getinfo}, {@code block_added}); empty until it has. */
@FunctionalInterface
public interface ChainHeight
{
    OptionalLong current();
}
