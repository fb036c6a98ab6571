package io.failscope.tlv;

import java.math.BigInteger;

/**
 * The one curve check a TLV reader needs: whether 33 bytes are a valid compressed secp256k1 point
 * (BOLT #1 {@code point}; vector B28 of {@code bolt01-vectors.json} depends on it).
 */
public final class Secp256k1
{
    private static final BigInteger P = new BigInteger("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC2F", 16);
    private static final BigInteger SEVEN = BigInteger.valueOf(7);
    private static final BigInteger LEGENDRE_EXPONENT = P.subtract(BigInteger.ONE).shiftRight(1);

    private Secp256k1() {}

    /** True when {@code point} is 33 bytes, starts with 02 or 03, and its x has a y on the curve. */
    public static boolean isValidCompressedPoint(byte[] point)
    {
        if (point.length != 33 || (point[0] != 0x02 && point[0] != 0x03)) {
            return false;
        }
        byte[] xBytes = new byte[32];
        System.arraycopy(point, 1, xBytes, 0, 32);
        BigInteger x = new BigInteger(1, xBytes);
        if (x.compareTo(P) >= 0) {
            return false;
        }
        // y^2 = x^3 + 7 must be a square mod p (Euler's criterion); it is never 0 on this curve.
        BigInteger ySquared = x.pow(3).add(SEVEN).mod(P);
        return ySquared.modPow(LEGENDRE_EXPONENT, P).equals(BigInteger.ONE);
    }
}
