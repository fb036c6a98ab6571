package io.failscope.capture;

import io.failscope.HtlcSeen;
import io.failscope.intercept.DecisionListener;
import io.failscope.intercept.Verdict;
import io.failscope.reason.FailureReason;
import io.failscope.reason.FailureSource;
import io.failscope.reason.FailureType;
import io.failscope.reason.ReasonSource;
import io.failscope.record.Evidence;
import io.failscope.record.RecordedReason;
import jakarta.inject.Inject;

import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * Records every HTLC failscope itself failed (a rule, the operator, a hold deadline) as type
 * {@code intercepted}: no node keeps a trace of them. The decision is heard on the hook path; the
 * record is made on a thread of its own, since it may wait on the node's first answer.
 */
public final class InterceptRecorder
        implements DecisionListener, AutoCloseable
{
    private static final System.Logger LOG = System.getLogger(InterceptRecorder.class.getName());

    private final Capture capture;
    private final Clock clock;
    private final ExecutorService recorder = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "failscope-intercept-records");
        thread.setDaemon(true);
        return thread;
    });

    @Inject
    public InterceptRecorder(Capture capture, Clock clock)
    {
        this.capture = requireNonNull(capture, "capture is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    @Override
    public void decided(HtlcSeen htlc, Verdict verdict)
    {
        if (!(verdict instanceof Verdict.Fail fail)) {
            return;
        }
        HtlcFailed failure = failure(htlc, fail, clock.instant());
        try {
            recorder.execute(() -> record(htlc, fail, failure));
        }
        catch (RejectedExecutionException e) {
            LOG.log(Level.WARNING, "HTLC " + htlc.id() + " failed by rule '" + fail.rule() + "' while failscope stops: not recorded");
        }
    }

    private void record(HtlcSeen htlc, Verdict.Fail fail, HtlcFailed failure)
    {
        try {
            capture.failed(failure).whenComplete((outcome, problem) -> {
                if (problem != null) {
                    LOG.log(Level.ERROR, "the record of HTLC " + htlc.id() + " failed by rule '" + fail.rule() + "' could not be stored: " + problem.getMessage());
                }
            });
        }
        catch (RuntimeException e) {
            LOG.log(Level.ERROR, "the record of HTLC " + htlc.id() + " failed by rule '" + fail.rule() + "' could not be made", e);
        }
    }

    static HtlcFailed failure(HtlcSeen htlc, Verdict.Fail fail, Instant now)
    {
        int code = fail.message().code();
        return HtlcFailed.builder(FailureType.INTERCEPTED, FailureSource.LOCAL, now)
                .inChannel(Optional.of(htlc.inChannel()))
                .inHtlcId(OptionalLong.of(htlc.htlcId()))
                .inMsat(OptionalLong.of(htlc.amountMsat()))
                .cltvExpiry(OptionalLong.of(htlc.cltvExpiry()))
                .inPeer(htlc.peerId())
                .outChannel(htlc.requestedChannel())
                .outMsat(htlc.forwardMsat())
                .paymentHash(htlc.paymentHash())
                .failcode(OptionalInt.of(code))
                .statedReason(Optional.of(new RecordedReason(new FailureReason(fail.reason(), code), ReasonSource.NODE, Evidence.NONE)))
                .failureData(fail.message().data())
                .rule(Optional.of(fail.rule()))
                .resolvedTime(Optional.of(now))
                .build();
    }

    @Override
    public void close()
    {
        recorder.shutdown();
        try {
            recorder.awaitTermination(2, TimeUnit.SECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
