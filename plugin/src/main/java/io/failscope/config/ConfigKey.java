package io.failscope.config;

import java.util.Locale;

import static java.util.Objects.requireNonNull;

/**
 * A configuration key, declared once with its default and a one-sentence description. In a
 * {@code --conf} file it is written as is ({@code retention.max-age=90d}); as a Core Lightning option
 * it is {@code failscope-} followed by the key with dots turned into dashes
 * ({@code failscope-retention-max-age}).
 *
 * @param defaultValue the default as it would be written, or null when the key is off unless set
 */
public record ConfigKey(String key, String defaultValue, String description)
{
    public ConfigKey
    {
        requireNonNull(key, "key is null");
        requireNonNull(description, "description is null");
        if (!key.matches("[a-z][a-z0-9-]*(\\.[a-z][a-z0-9-]*)*")) {
            throw new IllegalArgumentException("config keys are dotted kebab-case: " + key);
        }
    }

    public String optionName()
    {
        return "failscope-" + key.replace('.', '-').toLowerCase(Locale.ROOT);
    }
}
