package io.failscope.dialect;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.failscope.intercept.Interceptor;
import io.failscope.json.Json;
import io.failscope.status.StatusSection;
import jakarta.inject.Inject;

import java.util.concurrent.atomic.AtomicLong;

import static java.util.Objects.requireNonNull;

/** The hooks' part of {@code failscope-status}: how many were answered, how many failed open, how many HTLCs are held now. */
public final class HookStatus
        implements StatusSection
{
    private final Interceptor interceptor;
    private final AtomicLong answered = new AtomicLong();
    private final AtomicLong failedOpen = new AtomicLong();

    @Inject
    public HookStatus(Interceptor interceptor)
    {
        this.interceptor = requireNonNull(interceptor, "interceptor is null");
    }

    /** A hook got its verdict (a held HTLC's when it is released). */
    public void answered()
    {
        answered.incrementAndGet();
    }

    /** A hook was answered "go on" because something failed inside. */
    public void failedOpen()
    {
        failedOpen.incrementAndGet();
    }

    public long failedOpenCount()
    {
        return failedOpen.get();
    }

    public long answeredCount()
    {
        return answered.get();
    }

    @Override
    public String name()
    {
        return "hooks";
    }

    @Override
    public ObjectNode report()
    {
        return Json.object()
                .put("answered", answered.get())
                .put("failed_open", failedOpen.get())
                .put("held", interceptor.held().size());
    }
}
