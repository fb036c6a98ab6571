package io.failscope.status;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One part of {@code failscope-status}, reported by the feature that knows it (the store, capture, the
 * hooks, the node, the policy). A report is cheap: counters and sizes, never a scan of the records.
 */
public interface StatusSection
{
    /** The section's name in the answer: {@code store}, {@code capture}, ... */
    String name();

    ObjectNode report();
}
