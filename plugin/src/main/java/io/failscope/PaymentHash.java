package io.failscope;

import io.failscope.tlv.Bytes;

import static java.util.Objects.requireNonNull;

/** The 32-byte SHA-256 payment hash of an HTLC. */
public record PaymentHash(Bytes hash)
{
    public PaymentHash
    {
        requireNonNull(hash, "hash is null");
        if (hash.length() != 32) {
            throw new IllegalArgumentException("payment hash must be 32 bytes, got " + hash.length() + ": " + hash.hex());
        }
    }

    public static PaymentHash fromHex(String hex)
    {
        return new PaymentHash(Bytes.fromHex(hex));
    }

    @Override
    public String toString()
    {
        return hash.hex();
    }
}
