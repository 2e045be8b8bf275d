package dev.tern.compress;

import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintStream;

/**
 * Progress of long work on stderr: a bar redrawn in place on a terminal, and a plain line
 * every {@link #LINE_MILLIS} when the output goes to a pipe or a file, so logs hold readable
 * lines rather than carriage returns. Each line has the task, the count, elapsed time and the
 * ETA, and whatever the caller sets as the extra message (a loss, say).
 */
public final class Progress {
    /** How often a piped run prints a line. */
    public static final long LINE_MILLIS = 5_000;

    private Progress() {
    }

    /** A bar for {@code max} steps of {@code task}, in the form that suits where stderr goes. */
    public static ProgressBar bar(String task, long max) {
        return bar(task, max, System.err, interactive());
    }

    /** As {@link #bar(String, long)}, to {@code out}, as a redrawn bar or as lines. */
    public static ProgressBar bar(String task, long max, PrintStream out, boolean redraw) {
        ProgressBarBuilder b = new ProgressBarBuilder().setTaskName(task).setInitialMax(max).setStyle(ProgressBarStyle.ASCII)
                .continuousUpdate().showSpeed();
        if (redraw) {
            b.setUpdateIntervalMillis(500).setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(out));
        } else {
            b.setUpdateIntervalMillis((int) LINE_MILLIS).setConsumer(new DelegatingProgressBarConsumer(out::println, 100));
        }
        return b.build();
    }

    /**
     * Sets the bar's extra message (a loss, say), after a space: the library writes it straight
     * after the speed ("9.4/sloss 1.0479" otherwise). A placeholder of the same length
     * ("loss -.----") set before the first step keeps the bar from narrowing by the message's
     * width after the first line.
     */
    public static void note(ProgressBar bar, String text) {
        bar.setExtraMessage(" " + text);
    }

    /**
     * Whether a bar can be redrawn: the JVM has a console (stdin and stdout are a terminal) and
     * TERM is not "dumb". `./tern demo | tee log` and CI logs get lines.
     */
    public static boolean interactive() {
        String term = System.getenv("TERM");
        return System.console() != null && term != null && !term.equals("dumb");
    }
}
