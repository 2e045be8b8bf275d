package dev.tern.compress.report;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A model's batch-1 latency in microseconds: p50 and p99 over every timed run, and the
 * median of each measurement round ({@code roundMedians}, in round order). The spread of the
 * round medians is what the report calls noise: a shared machine's drift moves whole rounds,
 * so two models whose round ranges overlap cannot be told apart by this run.
 *
 * @param p50          median over all timed runs
 * @param p99          99th percentile over all timed runs
 * @param roundMedians the median of each round; one entry (or none) means the spread is unknown
 */
public record Latency(double p50, double p99, List<Double> roundMedians) {
    public Latency {
        if (!(p50 > 0) || Double.isInfinite(p50) || !(p99 >= 0) || Double.isInfinite(p99)) {
            throw new IllegalArgumentException("latency: expected a finite p50 > 0 and p99 >= 0 (µs), got p50 " + p50
                    + ", p99 " + p99);
        }
        for (double r : roundMedians) {
            if (!(r > 0) || Double.isInfinite(r)) {
                throw new IllegalArgumentException("latency: round medians must be finite and > 0 µs, got " + roundMedians);
            }
        }
        roundMedians = List.copyOf(roundMedians);
    }

    /** Latency known only as p50/p99 (no rounds): its spread is unknown. */
    public static Latency of(double p50, double p99) {
        return new Latency(p50, p99, List.of());
    }

    /** Whether there are at least two rounds, so a spread exists. */
    public boolean hasSpread() {
        return roundMedians.size() >= 2;
    }

    /** The median of the round medians; p50 when there are no rounds. */
    public double median() {
        if (roundMedians.isEmpty()) {
            return p50;
        }
        List<Double> s = new ArrayList<>(roundMedians);
        Collections.sort(s);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    /** The fastest round's median (p50 without rounds). */
    public double min() {
        return roundMedians.isEmpty() ? p50 : Collections.min(roundMedians);
    }

    /** The slowest round's median (p50 without rounds). */
    public double max() {
        return roundMedians.isEmpty() ? p50 : Collections.max(roundMedians);
    }

    /** (max - min) / median of the round medians: 0.1 means the rounds spread over 10% of the median. */
    public double relativeSpread() {
        return (max() - min()) / median();
    }

    /**
     * How this latency compares with another: {@link Comparison#WITHIN_NOISE} when both have
     * a spread and their round ranges [min, max] overlap; {@link Comparison#UNKNOWN} when
     * either has no spread.
     */
    public Comparison compareTo(Latency other) {
        if (!hasSpread() || !other.hasSpread()) {
            return Comparison.UNKNOWN;
        }
        if (max() < other.min()) {
            return Comparison.FASTER;
        }
        if (min() > other.max()) {
            return Comparison.SLOWER;
        }
        return Comparison.WITHIN_NOISE;
    }

    /** The outcome of {@link #compareTo}. */
    public enum Comparison {
        FASTER, SLOWER, WITHIN_NOISE, UNKNOWN
    }
}
