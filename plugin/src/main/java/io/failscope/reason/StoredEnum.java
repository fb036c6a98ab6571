package io.failscope.reason;

import java.util.Locale;
import java.util.Optional;

/**
 * An enum whose constants are stored in records by a fixed number and shown in JSON by a snake_case
 * name. Both are contracts: a number is never reused, a name never changes.
 */
public interface StoredEnum
{
    /** The number stored in records. */
    int code();

    String name();

    /** The JSON name: the constant's name in lower case. */
    default String snakeName()
    {
        return name().toLowerCase(Locale.ROOT);
    }

    static <E extends Enum<E> & StoredEnum> Optional<E> forCode(Class<E> type, int code)
    {
        for (E constant : type.getEnumConstants()) {
            if (constant.code() == code) {
                return Optional.of(constant);
            }
        }
        return Optional.empty();
    }

    static <E extends Enum<E> & StoredEnum> Optional<E> forSnakeName(Class<E> type, String name)
    {
        for (E constant : type.getEnumConstants()) {
            if (constant.snakeName().equals(name)) {
                return Optional.of(constant);
            }
        }
        return Optional.empty();
    }
}
