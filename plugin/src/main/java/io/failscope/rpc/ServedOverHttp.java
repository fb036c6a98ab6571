package io.failscope.rpc;

import jakarta.inject.Qualifier;

import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;

/**
 * Marks the {@link MessageHandler} the HTTP endpoint serves. Each node dialect binds it to what may
 * come over HTTP in that dialect: the user's methods only under Core Lightning (its node talks over
 * stdio), the node's messages too for a JVM node.
 */
@Qualifier
@Retention(RetentionPolicy.RUNTIME)
public @interface ServedOverHttp {}
