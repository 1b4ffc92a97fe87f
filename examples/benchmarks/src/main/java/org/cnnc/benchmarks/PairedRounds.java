package org.cnnc.benchmarks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.cnnc.runtime.Parallel;

/**
 * The ratios between engines, measured pair by pair in time: the engines of a network (-O0,
 * -O2, ONNX Runtime, PyTorch) are open in one JVM, and each round runs each for a short slice, one
 * after another. On a shared host whose speed changes from one stretch of seconds to the next
 * (the second core's share comes and goes), separate JMH forks can catch two engines in
 * different stretches; engines a fraction of a second apart are caught in the same one, and the
 * median of the per-round ratios follows the code rather than the host. The times themselves
 * are the JMH table's business; this measures ratios only. Batch 1 unless {@code --batch N}
 * comes first.
 *
 * <p>Each round also times an empty hand-off between two threads ({@link #handoffNanos}): the
 * host's stretches differ most in what a cache line costs to pass between its two vCPUs (120–250
 * ns in fast stretches, 600–1300 in slow ones, on the AMD EPYC these benchmarks ran on), which
 * every engine's parallel loops pay, so the report can give the ratios of each kind of stretch.
 *
 * <p>Writes one JSON line per network: the batch, the median call time of each engine in each
 * round, and each round's median hand-off. {@code java --add-modules jdk.incubator.vector -cp ... org.cnnc.benchmarks.PairedRounds
 * [--batch N] NAME...}
 */
public final class PairedRounds {
    static final int ROUNDS = 20;
    static final long SLICE_NANOS = 400_000_000L, WARMUP_NANOS = 6_000_000_000L;
    static final List<String> VARIANTS = List.of(ModelFiles.CNNC_O0, ModelFiles.CNNC_O2, ModelFiles.ONNX_RUNTIME, ModelFiles.PYTORCH);
    /** The key of the rounds' hand-off times in the JSON line. */
    static final String HANDOFF = "handoff_ns";
    /** Empty two-thread loops timed before each round (about 3 ms in a fast stretch, 20 in a slow one). */
    static final int HANDOFFS = 20_000;

    private PairedRounds() {}

    public static void main(String[] args) {
        int batch = 1, first = 0;
        if (args.length >= 2 && args[0].equals("--batch")) {
            batch = Integer.parseInt(args[1]);
            first = 2;
        }
        if (args.length == first || batch < 1) {
            System.err.println("usage: PairedRounds [--batch N] NETWORK...");
            System.exit(2);
        }
        for (String network : Arrays.copyOfRange(args, first, args.length)) {
            System.out.println(json(network, batch, measure(network, batch)));
        }
        System.exit(0);   // ONNX Runtime's and the models' threads are daemons, but say so plainly
    }

    /** Per variant, its median call time (ms) in each round; under {@link #HANDOFF}, each round's median hand-off (ns). */
    static Map<String, double[]> measure(String network, int batch) {
        List<Engine> engines = new ArrayList<>();
        try (Parallel pair = new Parallel(2)) {
            for (String variant : VARIANTS) engines.add(ModelFiles.openNetwork(network, variant, batch));
            for (Engine e : engines) slice(e, WARMUP_NANOS);
            double[][] medians = new double[engines.size()][ROUNDS];
            double[] handoffs = new double[ROUNDS];
            for (int r = 0; r < ROUNDS; r++) {
                handoffs[r] = handoffNanos(pair, HANDOFFS);
                for (int i = 0; i < engines.size(); i++) medians[i][r] = slice(engines.get(i), SLICE_NANOS);
            }
            Map<String, double[]> out = new LinkedHashMap<>();
            for (int i = 0; i < engines.size(); i++) out.put(VARIANTS.get(i), medians[i]);
            out.put(HANDOFF, handoffs);
            return out;
        } finally {
            for (Engine e : engines) e.close();
        }
    }

    /**
     * The median time (ns) of {@code calls} empty parallel loops of two threads on {@code pair}:
     * the calling thread hands its worker a range and waits for it, a cache line each way.
     */
    static double handoffNanos(Parallel pair, int calls) {
        Parallel.Task nothing = (a, b, c, d, i, j, from, to) -> { };
        long[] t = new long[calls];
        for (int k = 0; k < calls; k++) {
            long start = System.nanoTime();
            pair.forRange(2, nothing, null, null, null, null, 0, 0);
            t[k] = System.nanoTime() - start;
        }
        Arrays.sort(t);
        return t[calls / 2];
    }

    /** Runs {@code e} for about {@code nanos} (at least three calls); the median call, ms. */
    static double slice(Engine e, long nanos) {
        List<Double> times = new ArrayList<>();
        long end = System.nanoTime() + nanos;
        while (times.size() < 3 || System.nanoTime() < end) {
            long start = System.nanoTime();
            e.run();
            times.add((System.nanoTime() - start) / 1e6);
        }
        double[] t = times.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(t);
        return t[t.length / 2];
    }

    static String json(String network, int batch, Map<String, double[]> medians) {
        StringBuilder s = new StringBuilder("{\"network\":\"").append(network).append("\",\"batch\":").append(batch);
        medians.forEach((variant, ms) -> {
            s.append(",\"").append(variant).append("\":[");
            String format = variant.equals(HANDOFF) ? "%.0f" : "%.4f";
            for (int i = 0; i < ms.length; i++) s.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT, format, ms[i]));
            s.append(']');
        });
        return s.append('}').toString();
    }
}
