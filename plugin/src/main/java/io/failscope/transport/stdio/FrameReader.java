package io.failscope.transport.stdio;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Splits stdin into candidate messages. lightningd writes one compact JSON object per message and
 * ends each with a blank line ({@code cln-plugin-protocol.md} §1.2); a JSON string cannot hold a raw
 * newline, so a blank line outside a string always ends a message. A frame is a whole top-level
 * object or array found by counting brackets outside strings. Anything else — text that does not
 * start a JSON value, a value cut off by a blank line or by the end of input, or a frame past the size
 * limit — comes back as a bad frame, and reading resumes after it, so one bad message never swallows
 * the next good one.
 *
 * <p>Bytes are scanned where they were read and copied out once per frame: a hook is about 3 KB, and
 * handling it a byte at a time showed in its latency.
 */
final class FrameReader
{
    /**
     * A candidate message; {@code complete} is false for bytes that cannot be a whole object or array.
     * For a line that does not start one, {@code bytes} holds the line when it is short (it may still
     * be some other JSON value).
     */
    record Frame(byte[] bytes, boolean complete, String problem) {}

    private static final int MAX_KEPT_LINE = 1024;

    private final InputStream in;
    private final int maxFrameBytes;
    private final byte[] buffer = new byte[1 << 16];
    private int position;
    private int limit;

    FrameReader(InputStream in, int maxFrameBytes)
    {
        this.in = in;
        this.maxFrameBytes = maxFrameBytes;
    }

    /** The next frame, or null at the end of input. */
    Frame next()
            throws IOException
    {
        while (true) {
            if (position == limit && !fill()) {
                return null;
            }
            int b = buffer[position];
            if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
                break;
            }
            position++;
        }
        int first = buffer[position];
        if (first != '{' && first != '[') {
            return skipGarbage();
        }
        // the frame's bytes read before the buffer was refilled, kept only up to the limit
        ByteArrayOutputStream earlier = null;
        long size = 0;
        int start = position;
        int depth = 0;
        boolean inString = false;
        boolean escaped = false;
        boolean previousNewline = false;
        while (true) {
            if (position == limit) {
                int length = limit - start;
                if (earlier == null) {
                    earlier = new ByteArrayOutputStream(Math.min(maxFrameBytes, 2 * length));
                }
                if (size < maxFrameBytes) {
                    earlier.write(buffer, start, (int) Math.min(length, maxFrameBytes - size));
                }
                size += length;
                if (!fill()) {
                    return new Frame(new byte[0], false, "input ended inside a message");
                }
                start = 0;
            }
            int b = buffer[position++];
            if (inString) {
                if (escaped) {
                    escaped = false;
                }
                else if (b == '\\') {
                    escaped = true;
                }
                else if (b == '"') {
                    inString = false;
                }
                else if (b == '\n') {
                    // a raw newline cannot be inside a JSON string: the message is broken
                    inString = false;
                }
            }
            else if (b == '"') {
                inString = true;
            }
            else if (b == '{' || b == '[') {
                depth++;
            }
            else if (b == '}' || b == ']') {
                depth--;
                if (depth == 0) {
                    size += position - start;
                    if (size >= maxFrameBytes) {
                        return new Frame(new byte[0], false, "message larger than " + maxFrameBytes + " bytes");
                    }
                    if (earlier == null) {
                        return new Frame(Arrays.copyOfRange(buffer, start, position), true, null);
                    }
                    earlier.write(buffer, start, position - start);
                    return new Frame(earlier.toByteArray(), true, null);
                }
            }
            else if (b == '\n' && previousNewline) {
                return new Frame(new byte[0], false, "message cut off by a blank line before its end");
            }
            previousNewline = b == '\n' && !inString;
        }
    }

    /** Skips to the end of the line or to the next '{', which may start a message of its own. */
    private Frame skipGarbage()
            throws IOException
    {
        ByteArrayOutputStream line = new ByteArrayOutputStream(64);
        int count = 0;
        while (position < limit || fill()) {
            int b = buffer[position];
            if (b == '\n' || (b == '{' && count > 0)) {
                break;
            }
            if (count < MAX_KEPT_LINE) {
                line.write(b);
            }
            count++;
            position++;
        }
        return new Frame(count <= MAX_KEPT_LINE ? line.toByteArray() : new byte[0], false, "not a JSON object");
    }

    /** Reads more input into the buffer from its start; false at the end of input. Blocks only until some bytes are there. */
    private boolean fill()
            throws IOException
    {
        int read = in.read(buffer, 0, buffer.length);
        if (read <= 0) {
            position = 0;
            limit = 0;
            return false;
        }
        position = 0;
        limit = read;
        return true;
    }
}
