package io.failscope.record;

import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * The named numbers a reason was inferred from, such as {@code required_fee_msat} and
 * {@code offered_fee_msat}, or {@code spendable_msat} and {@code requested_msat}. Names are snake_case;
 * entries are kept sorted by name so a record has exactly one encoding.
 */
public final class Evidence
{
    public static final Evidence NONE = new Evidence(new TreeMap<>());

    public static final int MAX_NAME_LENGTH = 64;

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*");

    private final SortedMap<String, Long> values;

    private Evidence(SortedMap<String, Long> values)
    {
        this.values = Collections.unmodifiableSortedMap(values);
    }

    public static Evidence of(Map<String, Long> values)
    {
        requireNonNull(values, "values is null");
        TreeMap<String, Long> copy = new TreeMap<>();
        values.forEach((name, value) -> {
            checkName(name);
            copy.put(name, requireNonNull(value, "evidence value for " + name + " is null"));
        });
        return copy.isEmpty() ? NONE : new Evidence(copy);
    }

    public static Builder builder()
    {
        return new Builder();
    }

    public static void checkName(String name)
    {
        requireNonNull(name, "evidence name is null");
        if (name.length() > MAX_NAME_LENGTH || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("evidence name must be snake_case of at most " + MAX_NAME_LENGTH + " characters: '" + name + "'");
        }
    }

    /** Sorted by name. */
    public SortedMap<String, Long> values()
    {
        return values;
    }

    public boolean isEmpty()
    {
        return values.isEmpty();
    }

    public Long get(String name)
    {
        return values.get(name);
    }

    @Override
    public boolean equals(Object other)
    {
        return other instanceof Evidence that && values.equals(that.values);
    }

    @Override
    public int hashCode()
    {
        return values.hashCode();
    }

    @Override
    public String toString()
    {
        return values.toString();
    }

    public static final class Builder
    {
        private final TreeMap<String, Long> values = new TreeMap<>();

        private Builder() {}

        public Builder put(String name, long value)
        {
            checkName(name);
            values.put(name, value);
            return this;
        }

        public Evidence build()
        {
            return values.isEmpty() ? NONE : new Evidence(new TreeMap<>(values));
        }
    }
}
