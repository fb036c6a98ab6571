package io.failscope;

/**
 * A short channel id: funding block height (24 bits), transaction index (24 bits) and output index
 * (16 bits), written {@code BLOCKxTXxOUTPUT} as Core Lightning prints it ({@code 103x1x0}).
 */
public record ShortChannelId(long value)
{
    public static ShortChannelId of(long block, long transaction, int output)
    {
        if (block < 0 || block > 0xFF_FFFFL) {
            throw new IllegalArgumentException("short channel id block out of range: " + block);
        }
        if (transaction < 0 || transaction > 0xFF_FFFFL) {
            throw new IllegalArgumentException("short channel id transaction index out of range: " + transaction);
        }
        if (output < 0 || output > 0xFFFF) {
            throw new IllegalArgumentException("short channel id output index out of range: " + output);
        }
        return new ShortChannelId(block << 40 | transaction << 16 | output);
    }

    /**
     * Parses {@code BLOCKxTXxOUTPUT}.
     *
     * @throws IllegalArgumentException naming the text when it is not a short channel id
     */
    public static ShortChannelId parse(String text)
    {
        String[] parts = text.split("x", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("not a short channel id (BLOCKxTXxOUTPUT): '" + text + "'");
        }
        try {
            return of(parsePart(parts[0], text), parsePart(parts[1], text), (int) parsePart(parts[2], text));
        }
        catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a short channel id (BLOCKxTXxOUTPUT): '" + text + "'", e);
        }
    }

    public long block()
    {
        return value >>> 40;
    }

    public long transaction()
    {
        return (value >>> 16) & 0xFF_FFFFL;
    }

    public int output()
    {
        return (int) (value & 0xFFFF);
    }

    @Override
    public String toString()
    {
        return block() + "x" + transaction() + "x" + output();
    }

    private static long parsePart(String part, String text)
    {
        if (part.isEmpty() || part.length() > 8 || !part.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("not a short channel id (BLOCKxTXxOUTPUT): '" + text + "'");
        }
        return Long.parseLong(part);
    }
}
