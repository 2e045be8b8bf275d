package dev.tern.compress.prune;

import dev.tern.compress.BadInputException;

/**
 * Gradual pruning's sparsity over training steps (Zhu and Gupta 2017, "To prune, or not to
 * prune"; TF Model Optimization's {@code PolynomialDecay}): from {@code initial} at
 * {@code begin} to {@code target} at {@code end},
 * <pre>
 *   s(t) = target + (initial - target) * (1 - (t - begin) / (end - begin))^3
 * </pre>
 * flat before {@code begin} and after {@code end}; masks are recomputed every
 * {@code frequency} steps (and at {@code end}), so pruning is fast early, while there are
 * many redundant weights, and slow near the target.
 */
public record PolynomialSchedule(double initial, double target, int begin, int end, int frequency) {
    public PolynomialSchedule {
        MagnitudePruner.checkSparsity(initial);
        MagnitudePruner.checkSparsity(target);
        if (initial > target) {
            throw new BadInputException("gradual pruning goes up: initial sparsity " + initial + " is above the target "
                    + target);
        }
        if (begin < 0 || end <= begin || frequency < 1) {
            throw new BadInputException("pruning schedule needs 0 <= begin < end and frequency >= 1, got begin " + begin
                    + ", end " + end + ", frequency " + frequency);
        }
    }

    /** The one-shot schedule: the target from step 0. */
    public static PolynomialSchedule oneShot(double target) {
        return new PolynomialSchedule(target, target, 0, 1, 1);
    }

    public double sparsityAt(int step) {
        double p = Math.min(1, Math.max(0, (double) (step - begin) / (end - begin)));
        double r = 1 - p;
        return target + (initial - target) * r * r * r;
    }

    /** True when masks are recomputed at this step: from begin to end, every frequency steps, and at end. */
    public boolean updatesAt(int step) {
        return step >= begin && step <= end && ((step - begin) % frequency == 0 || step == end);
    }
}
