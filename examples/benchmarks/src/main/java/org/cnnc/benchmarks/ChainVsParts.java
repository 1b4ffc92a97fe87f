package org.cnnc.benchmarks;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * What a chain of kernels costs beyond the same kernels run one at a time: the most that fusing
 * the chain into one kernel could save, since a fused kernel does the same arithmetic and saves
 * only the hand-over of the intermediates. The first jar is the chain, the others its parts (see
 * {@code chains/*.cnn}); each round times every model (median of 15 calls, batch 1, 2 threads)
 * one after another, so that the machine's drift touches all alike, and the chain's median is
 * compared with the sum of the parts' medians of the same round.
 *
 * <p>The chain is loaded twice, before the parts and after them, and each copy is compared on its
 * own. Each jar carries its own runtime, compiled by the JIT on its own, and the copies of one
 * kernel need not come out alike: on an AMD EPYC (AVX2) the 5-row register tile of the first model
 * loaded was compiled with one of its sums kept on the stack, which ran ResNet's stem conv alone at
 * 3.9 ms against 1.6–2.0 for copies loaded later. Two copies of the chain that disagree say the
 * difference is the JIT's, not the hand-over's.
 *
 * <p>{@code java --add-modules jdk.incubator.vector -cp ... org.cnnc.benchmarks.ChainVsParts CHAIN.jar PART.jar...}
 */
public final class ChainVsParts {
    private static final int ROUNDS = 15, CALLS = 15, WARMUP_ROUNDS = 30;

    private ChainVsParts() {}

    public static void main(String[] args) {
        if (args.length < 2) {
            System.err.println("usage: ChainVsParts CHAIN.jar PART.jar...");
            System.exit(2);
        }
        // the chain, its parts, the chain again
        Path[] jars = new Path[args.length + 1];
        for (int i = 0; i < args.length; i++) jars[i] = Path.of(args[i]);
        jars[args.length] = jars[0];
        CnncEngine[] engines = new CnncEngine[jars.length];
        for (int i = 0; i < jars.length; i++) engines[i] = CnncEngine.open(jars[i], 1, 2);
        for (int w = 0; w < WARMUP_ROUNDS; w++) {
            for (CnncEngine e : engines) median(e, 5);
        }
        final int last = jars.length - 1;
        double[][] medians = new double[jars.length][ROUNDS];
        double[] parts = new double[ROUNDS], first = new double[ROUNDS], again = new double[ROUNDS];
        for (int r = 0; r < ROUNDS; r++) {
            for (int i = 0; i < jars.length; i++) medians[i][r] = median(engines[i], CALLS);
            for (int i = 1; i < last; i++) parts[r] += medians[i][r];
            first[r] = medians[0][r] / parts[r];
            again[r] = medians[last][r] / parts[r];
        }
        for (int i = 0; i < jars.length; i++) {
            String name = jars[i].getFileName() + (i == 0 ? " (loaded first)" : i == last ? " (loaded last)" : "");
            System.out.printf(Locale.ROOT, "%-44s %8.3f ms%n", name, middle(medians[i]));
        }
        System.out.printf(Locale.ROOT, "parts together %.3f ms; chain ÷ parts %s (loaded first), %s (loaded last)%n",
                middle(parts), range(first), range(again));
        for (CnncEngine e : engines) e.close();
    }

    /** The median of the rounds' ratios and their extremes. */
    private static String range(double[] ratios) {
        return String.format(Locale.ROOT, "%.3f [%.3f–%.3f]", middle(ratios),
                Arrays.stream(ratios).min().orElseThrow(), Arrays.stream(ratios).max().orElseThrow());
    }

    private static double median(CnncEngine e, int calls) {
        double[] t = new double[calls];
        for (int i = 0; i < calls; i++) {
            long start = System.nanoTime();
            e.run();
            t[i] = (System.nanoTime() - start) / 1e6;
        }
        return middle(t);
    }

    private static double middle(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v[v.length / 2];
    }
}
