package org.cnnc.runtime.kernels;

import java.util.Arrays;
import java.util.Random;
import org.cnnc.runtime.Parallel;

/**
 * A quick by-hand throughput check (not a test): GFLOP/s of convolutions at ResNet-50 shapes and
 * a few others, median and best of repeated runs after warm-up, on 1 and 2 threads. Run from the runtime
 * module after {@code mvn test-compile}:
 * {@code java --add-modules jdk.incubator.vector -cp target/classes:target/test-classes
 * org.cnnc.runtime.kernels.KernelBench [filter]}; {@code -Dbench.scalar=true} measures the plain loops.
 */
public final class KernelBench {
    private KernelBench() {}

    public static void main(String[] args) {
        String filter = args.length > 0 ? args[0] : "";
        VectorSupport.Impl impl = Boolean.getBoolean("bench.scalar") ? VectorSupport.Impl.SCALAR : VectorSupport.Impl.VECTOR;
        System.out.println("kernels: " + (impl == VectorSupport.Impl.SCALAR ? "plain loops" : VectorSupport.describe()));
        // as a model would have them: compiled by its warm-up, whatever shape runs first here
        if (impl == VectorSupport.Impl.VECTOR) Warmup.rounds(Warmup.CALLS, () -> true);
        Object[][] convs = {
                {"1x1 256->64 56x56", new int[] {256, 56, 56, 64, 1, 1, 1, 1, 0, 0, 1, 1, 1}},
                {"1x1 64->256 56x56", new int[] {64, 56, 56, 256, 1, 1, 1, 1, 0, 0, 1, 1, 1}},
                {"1x1 1024->256 14x14", new int[] {1024, 14, 14, 256, 1, 1, 1, 1, 0, 0, 1, 1, 1}},
                {"1x1 512->2048 7x7", new int[] {512, 7, 7, 2048, 1, 1, 1, 1, 0, 0, 1, 1, 1}},
                {"3x3 64 56x56", new int[] {64, 56, 56, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1}},
                {"3x3 128 28x28", new int[] {128, 28, 28, 128, 3, 3, 1, 1, 1, 1, 1, 1, 1}},
                {"3x3 256 14x14", new int[] {256, 14, 14, 256, 3, 3, 1, 1, 1, 1, 1, 1, 1}},
                {"3x3 512 7x7", new int[] {512, 7, 7, 512, 3, 3, 1, 1, 1, 1, 1, 1, 1}},
                {"3x3 16 32x32", new int[] {16, 32, 32, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1}},
                {"3x3 64 8x8", new int[] {64, 8, 8, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1}},
                {"5x5 1->6 28x28 p2", new int[] {1, 28, 28, 6, 5, 5, 1, 1, 2, 2, 1, 1, 1}},
                {"5x5 6->16 14x14", new int[] {6, 14, 14, 16, 5, 5, 1, 1, 0, 0, 1, 1, 1}},
                {"3x3 64->128 112x112", new int[] {64, 112, 112, 128, 3, 3, 1, 1, 1, 1, 1, 1, 1}},
                {"3x3 s2 128 56->28", new int[] {128, 56, 56, 128, 3, 3, 2, 2, 1, 1, 1, 1, 1}},
                {"7x7 s2 3->64 224", new int[] {3, 224, 224, 64, 7, 7, 2, 2, 3, 3, 1, 1, 1}},
                {"dw 3x3 144 56x56", new int[] {144, 56, 56, 144, 3, 3, 1, 1, 1, 1, 1, 1, 144}},
                {"dw 3x3 s2 96 112->56", new int[] {96, 112, 112, 96, 3, 3, 2, 2, 1, 1, 1, 1, 96}},
                {"dw 3x3 s2 144 56->28", new int[] {144, 56, 56, 144, 3, 3, 2, 2, 1, 1, 1, 1, 144}},
                {"dw 3x3 192 28x28", new int[] {192, 28, 28, 192, 3, 3, 1, 1, 1, 1, 1, 1, 192}},
                {"dw 3x3 s2 192 28->14", new int[] {192, 28, 28, 192, 3, 3, 2, 2, 1, 1, 1, 1, 192}},
                {"dw 3x3 384 14x14", new int[] {384, 14, 14, 384, 3, 3, 1, 1, 1, 1, 1, 1, 384}},
                {"dw 3x3 960 7x7", new int[] {960, 7, 7, 960, 3, 3, 1, 1, 1, 1, 1, 1, 960}},
                {"dw 3x3 s2 576 14->7", new int[] {576, 14, 14, 576, 3, 3, 2, 2, 1, 1, 1, 1, 576}},
        };
        for (Object[] c : convs) {
            String name = (String) c[0];
            if (!name.contains(filter)) continue;
            int[] s = (int[]) c[1];
            for (int threads : new int[] {1, 2}) {
                try (Parallel p = new Parallel(threads)) {
                    System.out.printf("%-24s %d thread(s): %s%n", name, threads, conv(s, p, impl, false));
                    if (impl == VectorSupport.Impl.VECTOR && Conv2d.usesWinograd(shape(s))) {
                        // the same shape on the GEMM kernel the factory passes over for it
                        System.out.printf("%-24s %d thread(s): %s%n", name, threads, conv(s, p, impl, true));
                    }
                }
            }
        }
        if ("linear".contains(filter) || filter.isEmpty()) {
            for (int threads : new int[] {1, 2}) {
                try (Parallel p = new Parallel(threads)) {
                    System.out.printf("%-24s %d thread(s): %s%n", "linear 2048->1000 b1", threads, linear(2048, 1000, 1, p, impl));
                }
            }
        }
    }

    private static ConvShape shape(int[] s) {
        return new ConvShape(s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8], s[9], s[10], s[11], s[12]);
    }

    private static String conv(int[] s, Parallel p, VectorSupport.Impl impl, boolean gemm) {
        Random r = new Random(1);
        int k = s[0] / s[12] * s[4] * s[5];
        float[] w = random(r, s[3] * k, 0.1f);
        Epilogue e = Epilogue.of(random(r, s[3], 0.1f), Activation.RELU);
        Conv2d c = gemm ? new VectorGemmConv(shape(s), w, e)
                : Conv2d.create(s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8], s[9], s[10], s[11], s[12], w, e, impl);
        float[] x = random(r, c.inputSize(), 1f), y = new float[c.outputSize()];
        float[] scratch = new float[(int) c.scratchFloats(p.threads())];
        double flop = 2.0 * c.macs();
        return measure(() -> c.run(x, y, null, 1, scratch, p), flop) + "  [" + c.strategy() + "]";
    }

    private static String linear(int in, int out, int batch, Parallel p, VectorSupport.Impl impl) {
        Random r = new Random(1);
        Linear l = Linear.create(in, out, random(r, in * out, 0.1f), Epilogue.NONE, impl);
        float[] x = random(r, batch * in, 1f), y = new float[batch * out];
        return measure(() -> l.run(x, y, null, batch, null, p), 2.0 * in * out * batch);
    }

    private static float[] random(Random r, int n, float scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (r.nextFloat() * 2 - 1) * scale;
        return a;
    }

    /**
     * Times single calls for about two seconds after a second of warm-up; reports the median and
     * the best. On a shared machine the best of many short calls is the closer estimate of what
     * the kernel does when it has the cores to itself; the median says what a busy machine gives.
     */
    private static String measure(Runnable run, double flop) {
        long t0 = System.nanoTime();
        while (System.nanoTime() - t0 < 1_000_000_000L) run.run();
        double[] times = new double[100_000];
        int n = 0;
        t0 = System.nanoTime();
        while (n < times.length && (System.nanoTime() - t0 < 2_000_000_000L || n < 20)) {
            long a = System.nanoTime();
            run.run();
            times[n++] = System.nanoTime() - a;
        }
        Arrays.sort(times, 0, n);
        double median = times[n / 2], best = times[0];
        return String.format("median %8.3f ms %6.1f GFLOP/s | best %8.3f ms %6.1f GFLOP/s", median / 1e6, flop / median,
                best / 1e6, flop / best);
    }
}
