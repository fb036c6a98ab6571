package io.failscope;

import io.failscope.tlv.Bytes;
import io.failscope.tlv.Secp256k1;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static java.util.Objects.requireNonNull;

/**
 * A node's public key: 33 bytes, a compressed secp256k1 point (prefix 02 or 03) that is on the curve.
 * The curve check (a modular exponentiation) is made here, once per key: a node's records name few
 * distinct nodes, and the set of checked keys is emptied if it ever grows past its bound. Checking on
 * construction means no record can be stored with a key its own decoder would refuse (BOLT #1: a
 * {@code point} must be valid).
 */
public record NodeId(Bytes key)
{
    private static final Set<Bytes> CHECKED = ConcurrentHashMap.newKeySet();
    private static final int MAX_CHECKED = 8192;

    public NodeId
    {
        requireNonNull(key, "key is null");
        if (key.length() != 33 || (key.get(0) != 0x02 && key.get(0) != 0x03)) {
            throw new IllegalArgumentException("node id must be 33 bytes starting with 02 or 03: " + key.hex());
        }
        if (!CHECKED.contains(key)) {
            if (!Secp256k1.isValidCompressedPoint(key.toArray())) {
                throw new IllegalArgumentException("node id is not a point on secp256k1: " + key.hex());
            }
            if (CHECKED.size() >= MAX_CHECKED) {
                CHECKED.clear();
            }
            CHECKED.add(key);
        }
    }

    public static NodeId fromHex(String hex)
    {
        return new NodeId(Bytes.fromHex(hex));
    }

    @Override
    public String toString()
    {
        return key.hex();
    }
}
