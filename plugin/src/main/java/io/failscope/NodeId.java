package io.failscope;

import io.failscope.tlv.Bytes;

import static java.util.Objects.requireNonNull;

/** A node's public key: 33 bytes, a compressed secp256k1 point (prefix 02 or 03). */
public record NodeId(Bytes key)
{
    public NodeId
    {
        requireNonNull(key, "key is null");
        if (key.length() != 33 || (key.get(0) != 0x02 && key.get(0) != 0x03)) {
            throw new IllegalArgumentException("node id must be 33 bytes starting with 02 or 03: " + key.hex());
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
