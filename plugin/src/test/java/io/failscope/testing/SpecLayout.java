package io.failscope.testing;

import io.failscope.reason.DataField;
import io.failscope.reason.FailureCode;

import java.util.ArrayList;
import java.util.List;

/** A code's data layout written the way the reference files write it: {@code u64:htlc_msat}, {@code u16:len}, ... */
public final class SpecLayout
{
    private SpecLayout() {}

    public static List<String> of(FailureCode code)
    {
        List<String> layout = new ArrayList<>();
        for (DataField field : code.layout()) {
            switch (field.kind()) {
                case SHA256 -> layout.add("sha256:" + field.name());
                case U16 -> layout.add("u16:" + field.name());
                case U32 -> layout.add("u32:" + field.name());
                case U64 -> layout.add("u64:" + field.name());
                case BIGSIZE -> layout.add("bigsize:" + field.name());
                case LENGTH_PREFIXED -> {
                    layout.add("u16:len");
                    layout.add("len*byte:" + field.name());
                }
            }
        }
        return layout;
    }
}
