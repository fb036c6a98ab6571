package io.failscope.store;

import java.util.OptionalLong;

import static java.util.Objects.requireNonNull;

/**
 * Which slice of the matching records to return, as Core Lightning's {@code listforwards} pages:
 * ordered by the chosen index, from {@code start} (inclusive). Paging by {@code updated} returns only
 * records that were updated at least once.
 */
public record Page(Index index, OptionalLong start, int limit)
{
    public static final int MAX_LIMIT = 10_000;
    public static final int DEFAULT_LIMIT = 1_000;

    public enum Index
    {
        CREATED,
        UPDATED,
    }

    public Page
    {
        requireNonNull(index, "index is null");
        requireNonNull(start, "start is null");
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT + ": " + limit);
        }
    }

    public static Page first(int limit)
    {
        return new Page(Index.CREATED, OptionalLong.empty(), limit);
    }
}
