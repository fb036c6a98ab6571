package io.failscope.dialect.cln;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Where failscope's own notifications to lightningd go: the protocol writer on stdout under
 * lightningd, nowhere when there is no lightningd (a JVM node, a test). Never a log line: stdout
 * carries JSON-RPC objects only ({@code cln-plugin-protocol.md} §0).
 */
public interface ClnOutbox
{
    /** Drops every notification: there is no lightningd to hear it. */
    ClnOutbox NONE = notification -> {};

    /** Sends one JSON-RPC notification (no {@code id}). */
    void send(ObjectNode notification);
}
