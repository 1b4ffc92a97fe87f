package org.cnnc.benchmarks;

import java.util.concurrent.CyclicBarrier;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The machine's FP32 FMA peak as Java reaches it: every thread runs independent chains of
 * fused multiply-adds on the preferred vector width, with nothing loaded from memory, and the
 * best of several rounds is printed in GFLOP/s. The report's "fraction of peak" divides by this
 * number, measured on the machine that ran the benchmarks rather than assumed.
 *
 * <p>{@code java --add-modules jdk.incubator.vector org.cnnc.benchmarks.PeakFlops [THREADS]}
 */
public final class PeakFlops {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Independent accumulators: enough to cover the FMA latency on two FMA ports. */
    private static final int CHAINS = 12;

    private PeakFlops() {}

    public static void main(String[] args) throws Exception {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : Runtime.getRuntime().availableProcessors();
        double best = 0;
        for (int round = 0; round < 6; round++) {
            double gflops = round(threads, 60_000_000L);
            if (round > 0) best = Math.max(best, gflops);   // the first round warms the JIT up
        }
        System.out.printf("%.0f%n", best);
    }

    /** One round: {@code iterations} FMA steps per chain on each of {@code threads} threads, in GFLOP/s. */
    private static double round(int threads, long iterations) throws Exception {
        CyclicBarrier start = new CyclicBarrier(threads + 1), end = new CyclicBarrier(threads + 1);
        float[] sink = new float[threads];
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread worker = new Thread(() -> {
                try {
                    start.await();
                    sink[id] = chains(iterations);
                    end.await();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            worker.setDaemon(true);
            worker.start();
        }
        start.await();
        long t0 = System.nanoTime();
        end.await();
        double seconds = (System.nanoTime() - t0) / 1e9;
        return threads * iterations * CHAINS * 2.0 * S.length() / seconds / 1e9;
    }

    private static float chains(long iterations) {
        FloatVector m = FloatVector.broadcast(S, 0.999999f), a = FloatVector.broadcast(S, 1e-7f);
        FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0, c8 = c0,
                c9 = c0, c10 = c0, c11 = c0;
        for (long i = 0; i < iterations; i++) {
            c0 = c0.fma(m, a);
            c1 = c1.fma(m, a);
            c2 = c2.fma(m, a);
            c3 = c3.fma(m, a);
            c4 = c4.fma(m, a);
            c5 = c5.fma(m, a);
            c6 = c6.fma(m, a);
            c7 = c7.fma(m, a);
            c8 = c8.fma(m, a);
            c9 = c9.fma(m, a);
            c10 = c10.fma(m, a);
            c11 = c11.fma(m, a);
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11)
                .reduceLanes(VectorOperators.ADD);
    }
}
