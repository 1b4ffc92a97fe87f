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
        CnncEngine[] engines = new CnncEngine[args.length];
        for (int i = 0; i < args.length; i++) engines[i] = CnncEngine.open(Path.of(args[i]), 1, 2);
        for (int w = 0; w < WARMUP_ROUNDS; w++) {
            for (CnncEngine e : engines) median(e, 5);
        }
        double[][] medians = new double[engines.length][ROUNDS];
        double[] ratio = new double[ROUNDS], parts = new double[ROUNDS];
        for (int r = 0; r < ROUNDS; r++) {
            for (int i = 0; i < engines.length; i++) medians[i][r] = median(engines[i], CALLS);
            for (int i = 1; i < engines.length; i++) parts[r] += medians[i][r];
            ratio[r] = medians[0][r] / parts[r];
        }
        for (int i = 0; i < engines.length; i++) {
            System.out.printf(Locale.ROOT, "%-40s %8.3f ms%n", Path.of(args[i]).getFileName(), middle(medians[i]));
        }
        System.out.printf(Locale.ROOT, "parts together %.3f ms; chain ÷ parts %.3f (rounds from %.3f to %.3f)%n",
                middle(parts), middle(ratio), Arrays.stream(ratio).min().orElseThrow(), Arrays.stream(ratio).max().orElseThrow());
        for (CnncEngine e : engines) e.close();
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
