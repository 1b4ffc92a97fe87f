package org.cnnc.benchmarks;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Two model jars of one network (built by two versions of cnnc, or with two options) timed in
 * turn in one JVM, as {@link PairedRounds} times engines: after a warm-up each, every round runs
 * A, then B, for a short slice, and the result is the median over rounds of B's median call over
 * A's, with quartiles. Each jar runs its own copy of the runtime (see {@link ModelClassLoader}).
 *
 * <p>The jar loaded first can run a few per cent faster than the same jar loaded second (3–6 %
 * measured), so run the pair in both orders and read the two ratios together.
 *
 * <p>{@code java --add-modules jdk.incubator.vector -cp ... org.cnnc.benchmarks.CompareJars A.jar B.jar [ROUNDS]}
 */
public final class CompareJars {
    private CompareJars() {}

    public static void main(String[] args) {
        if (args.length < 2 || args.length > 3) {
            System.err.println("usage: CompareJars A.jar B.jar [ROUNDS]");
            System.exit(2);
        }
        int rounds = args.length == 3 ? rounds(args[2]) : PairedRounds.ROUNDS;
        int threads = ModelFiles.threads();
        double[] a = new double[rounds], b = new double[rounds];
        try (Engine first = CnncEngine.open(Path.of(args[0]), 1, threads);
             Engine second = CnncEngine.open(Path.of(args[1]), 1, threads)) {
            PairedRounds.slice(first, PairedRounds.WARMUP_NANOS);
            PairedRounds.slice(second, PairedRounds.WARMUP_NANOS);
            for (int r = 0; r < rounds; r++) {
                a[r] = PairedRounds.slice(first, PairedRounds.SLICE_NANOS);
                b[r] = PairedRounds.slice(second, PairedRounds.SLICE_NANOS);
            }
        } catch (IllegalArgumentException | IllegalStateException | UncheckedIOException e) {
            System.err.println("CompareJars: " + e.getMessage());
            System.exit(1);
        }
        double[] q = Report.Paired.ratio(b, a);
        System.out.printf(Locale.ROOT, "A %s: %.4f ms, B %s: %.4f ms (medians over %d rounds, batch 1, %d threads)%n",
                args[0], Report.median(a), args[1], Report.median(b), rounds, threads);
        System.out.printf(Locale.ROOT, "B ÷ A: %.3f [%.3f–%.3f]%n", q[1], q[0], q[2]);
        System.exit(0);   // the models' worker threads are daemons, but say so plainly
    }

    private static int rounds(String text) {
        try {
            int n = Integer.parseInt(text);
            if (n >= 1) return n;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        System.err.println("CompareJars: ROUNDS must be a positive integer, not '" + text + "'");
        System.exit(2);
        return 0;
    }
}
