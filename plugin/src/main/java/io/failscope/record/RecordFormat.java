package io.failscope.record;

/**
 * The versions of the stored record format ({@code docs/record-format.md}). A version is never
 * removed: golden files of each are read in every build.
 */
public enum RecordFormat
{
    /** The wire code as a u16 at type 0; no local reason. */
    V1,
    /**
     * Adds the reason at type 33 as (wire code, reason index, TLV tail), its provenance (35) and
     * evidence (37); type 0 is still written, derived from the reason, for v1 readers.
     */
    V2;

    public static final RecordFormat CURRENT = V2;
}
