package io.failscope.transport.stdio;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Splits stdin into candidate messages. lightningd writes one compact JSON object per message and
 * ends each with a blank line ({@code cln-plugin-protocol.md} §1.2); a JSON string cannot hold a raw
 * newline, so a blank line outside a string always ends a message. A frame is a whole top-level
 * object or array found by counting brackets outside strings. Anything else — text that does not
 * start a JSON value, a value cut off by a blank line or by the end of input, or a frame past the size
 * limit — comes back as a bad frame, and reading resumes after it, so one bad message never swallows
 * the next good one.
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
    /** Bytes read ahead in bulk: a hook is about 3 KB, and a call to the stream per byte showed in its latency. */
    private final byte[] buffer = new byte[1 << 16];
    private int position;
    private int limit;
    private int pushedBack = -1;

    FrameReader(InputStream in, int maxFrameBytes)
    {
        this.in = in;
        this.maxFrameBytes = maxFrameBytes;
    }

    /** The next frame, or null at the end of input. */
    Frame next()
            throws IOException
    {
        int b = read();
        while (b == ' ' || b == '\t' || b == '\r' || b == '\n') {
            b = read();
        }
        if (b < 0) {
            return null;
        }
        ByteArrayOutputStream frame = new ByteArrayOutputStream(256);
        if (b != '{' && b != '[') {
            return skipGarbage(b, frame);
        }
        int depth = 0;
        boolean inString = false;
        boolean escaped = false;
        boolean previousNewline = false;
        while (b >= 0) {
            if (frame.size() < maxFrameBytes) {
                frame.write(b);
            }
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
                    if (frame.size() >= maxFrameBytes) {
                        return new Frame(new byte[0], false, "message larger than " + maxFrameBytes + " bytes");
                    }
                    return new Frame(frame.toByteArray(), true, null);
                }
            }
            else if (b == '\n' && previousNewline) {
                return new Frame(new byte[0], false, "message cut off by a blank line before its end");
            }
            previousNewline = b == '\n' && !inString;
            b = read();
        }
        return new Frame(new byte[0], false, "input ended inside a message");
    }

    /** Skips to the end of the line or to the next '{', which may start a message of its own. */
    private Frame skipGarbage(int first, ByteArrayOutputStream frame)
            throws IOException
    {
        int b = first;
        int count = 0;
        while (b >= 0 && b != '\n' && (b != '{' || count == 0)) {
            if (count < MAX_KEPT_LINE) {
                frame.write(b);
            }
            count++;
            b = read();
        }
        if (b == '{') {
            pushedBack = b;
        }
        return new Frame(count <= MAX_KEPT_LINE ? frame.toByteArray() : new byte[0], false, "not a JSON object");
    }

    private int read()
            throws IOException
    {
        if (pushedBack >= 0) {
            int b = pushedBack;
            pushedBack = -1;
            return b;
        }
        if (position == limit) {
            // blocks only until some bytes are there, never for a full buffer
            int read = in.read(buffer, 0, buffer.length);
            if (read <= 0) {
                return -1;
            }
            position = 0;
            limit = read;
        }
        return buffer[position++] & 0xFF;
    }
}
