package io.failscope.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * Reads typed values from string key/value pairs and collects every problem, so that one run reports
 * all mistakes at once. Call {@link #finish()} when done: it fails on any problem and on any key
 * nobody asked for, suggesting the closest known key.
 */
public final class ConfigValues
{
    private static final Pattern DURATION = Pattern.compile("(\\d{1,12})(ms|s|m|h|d|w)?");

    private final Map<String, String> values;
    private final Function<String, String> displayName;
    private final Set<String> known = new TreeSet<>();
    private final List<String> problems = new ArrayList<>();

    public ConfigValues(Map<String, String> values)
    {
        this(values, Function.identity());
    }

    /** {@code displayName} turns a key into the name the user wrote (a Core Lightning option name, say). */
    public ConfigValues(Map<String, String> values, Function<String, String> displayName)
    {
        this.values = Map.copyOf(requireNonNull(values, "values is null"));
        this.displayName = requireNonNull(displayName, "displayName is null");
    }

    public String getString(ConfigKey key)
    {
        known.add(key.key());
        String value = values.get(key.key());
        return value == null ? key.defaultValue() : value;
    }

    public long getLong(ConfigKey key, long min, long max)
    {
        long fallback = key.defaultValue() == null ? 0 : Long.parseLong(key.defaultValue());
        return getLong(key.key(), fallback, min, max);
    }

    public Duration getDuration(ConfigKey key, Duration min, Duration max)
    {
        Duration fallback = parseDuration(key.defaultValue());
        return getDuration(key.key(), fallback, min, max);
    }

    /** Records a problem found by the caller, naming the key as the user wrote it. */
    public void problem(String key, String message)
    {
        problems.add(displayName.apply(key) + ": " + message);
    }

    public long getLong(String key, long defaultValue, long min, long max)
    {
        known.add(key);
        String text = values.get(key);
        if (text == null) {
            return defaultValue;
        }
        try {
            long value = Long.parseLong(text.strip());
            if (value < min || value > max) {
                problem(key, "must be between " + min + " and " + max + ", got '" + text + "'");
                return defaultValue;
            }
            return value;
        }
        catch (NumberFormatException e) {
            problem(key, "must be a whole number, got '" + text + "'");
            return defaultValue;
        }
    }

    /**
     * A duration written as a number and a unit: {@code 500ms}, {@code 30s}, {@code 10m}, {@code 12h},
     * {@code 90d}, {@code 2w}; a bare {@code 0} is zero.
     */
    public Duration getDuration(String key, Duration defaultValue, Duration min, Duration max)
    {
        known.add(key);
        String text = values.get(key);
        if (text == null) {
            return defaultValue;
        }
        Duration value = parseDuration(text);
        if (value == null) {
            problem(key, "must be a duration such as 30s, 10m, 12h or 90d, got '" + text + "'");
            return defaultValue;
        }
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            problem(key, "must be between " + describe(min) + " and " + describe(max) + ", got '" + text + "'");
            return defaultValue;
        }
        return value;
    }

    /** Null when {@code text} is not a duration. */
    static Duration parseDuration(String text)
    {
        Matcher matcher = DURATION.matcher(text.strip());
        if (!matcher.matches() || (matcher.group(2) == null && !matcher.group(1).matches("0+"))) {
            return null;
        }
        long amount = Long.parseLong(matcher.group(1));
        return switch (matcher.group(2) == null ? "s" : matcher.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            case "d" -> Duration.ofDays(amount);
            default -> Duration.ofDays(amount * 7);
        };
    }

    /** Fails with every problem found, including keys nobody read. */
    public void finish()
            throws ConfigException
    {
        for (String key : new TreeSet<>(values.keySet())) {
            if (!known.contains(key)) {
                String suggestion = ClosestName.of(key, known, 3).map(closest -> " (did you mean " + displayName.apply(closest) + "?)").orElse("");
                problems.add("unknown key " + displayName.apply(key) + suggestion);
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
    }

    private static String describe(Duration duration)
    {
        if (duration.isZero()) {
            return "0";
        }
        if (duration.toMillis() % 86_400_000L == 0) {
            return duration.toDays() + "d";
        }
        if (duration.toMillis() % 1000 == 0) {
            return duration.toSeconds() + "s";
        }
        return duration.toMillis() + "ms";
    }
}
