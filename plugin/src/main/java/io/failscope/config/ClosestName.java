package io.failscope.config;

import java.util.Collection;
import java.util.Optional;

/**
 * "Did you mean ...?": the known name closest to a mistyped one, for configuration keys and for
 * parameter values alike. Only short inputs are compared: a name is short, and the comparison costs
 * the product of the lengths.
 */
public final class ClosestName
{
    /** Longer inputs are not names anyone mistyped; they get no suggestion. */
    static final int MAX_INPUT_LENGTH = 64;

    private ClosestName() {}

    /**
     * The known name within {@code max(slack, name.length() / 3)} edits of {@code name}, the closest
     * first; empty when none is that close or {@code name} is too long to be a name.
     */
    public static Optional<String> of(String name, Collection<String> known, int slack)
    {
        if (name.length() > MAX_INPUT_LENGTH) {
            return Optional.empty();
        }
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : known) {
            int distance = distance(name, candidate);
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return best != null && bestDistance <= Math.max(slack, name.length() / 3) ? Optional.of(best) : Optional.empty();
    }

    /** Levenshtein distance. */
    static int distance(String a, String b)
    {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
