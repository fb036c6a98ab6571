package io.failscope.sim;

import java.util.Locale;

/** The progress line: rewritten in place on a terminal, a line per tenth of the run otherwise. */
final class Progress
{
    private final long total;
    private final boolean inPlace;
    private final long started = System.nanoTime();
    private long lastPrinted;

    Progress(long total, boolean preferInPlace)
    {
        this.total = total;
        this.inPlace = preferInPlace && System.console() != null;
    }

    void sent(long sent, Tally tally)
    {
        long now = System.nanoTime();
        boolean due = inPlace ? now - lastPrinted > 250_000_000L || sent == total : sent % Math.max(1, total / 10) == 0;
        if (!due) {
            return;
        }
        lastPrinted = now;
        double seconds = Math.max(1e-9, (now - started) / 1e9);
        String text = String.format(Locale.ROOT, "%,11d / %,d HTLCs sent, %,d settled, %,d failed (%,.0f HTLCs/s)",
                sent, total, tally.settledCount(), tally.failedCount(), sent / seconds);
        if (inPlace) {
            System.out.print("\r" + text);
            System.out.flush();
        }
        else {
            System.out.println(text);
        }
    }

    /** A line of its own, not overwritten by the next progress line. */
    void line(String text)
    {
        if (inPlace) {
            System.out.print("\r\033[K");
        }
        System.out.println(text);
    }

    void done()
    {
        if (inPlace) {
            System.out.println();
        }
    }
}
