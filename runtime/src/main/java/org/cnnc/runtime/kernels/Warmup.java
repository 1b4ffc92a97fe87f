package org.cnnc.runtime.kernels;

import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import org.cnnc.runtime.Parallel;

/**
 * Compiles the vector kernels before a model's first call. Vector API code is slow until C2 has
 * compiled it (the interpreter and C1 box every vector), and a network's first inference would
 * otherwise pay for that: seconds for ResNet-50. Here, on a daemon thread started when a model
 * begins to load, each kernel method runs many times on small shapes, cheap calls that reach the
 * JIT's thresholds quickly; it overlaps with reading and packing the weights. Once per JVM, and
 * it ends at a model's first call, which would otherwise share the cores with it.
 */
final class Warmup {
    /** Calls per small kernel: enough for C2 to compile the kernel methods they run. */
    static final int CALLS = 12_000;

    private static boolean started;
    private static volatile boolean stopped;

    private Warmup() {}

    static synchronized void start() {
        if (started) return;
        started = true;
        Thread t = new Thread(Warmup::run, "cnnc-warmup");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        t.start();
    }

    static void stop() {
        if (!stopped) stopped = true;
    }

    private static void run() {
        try {
            rounds(CALLS, () -> !stopped);
        } catch (RuntimeException | LinkageError e) {
            // a warm-up that fails costs only the time it saves; the model's own calls report errors
        }
    }

    /** Runs every warm-up kernel {@code calls} times, or while {@code going}; returns the rounds run. */
    static int rounds(int calls, BooleanSupplier going) {
        try (Parallel one = new Parallel(1)) {
            Conv2d[] convs = convs();
            // a 3×3 stride-2 max pool, a 2×2 average pool and a global one
            Pool2d[] pools = {
                Pool2d.create(16, 16, 16, 3, 3, 2, 2, 1, 1, true, VectorSupport.Impl.VECTOR),
                Pool2d.create(16, 16, 16, 2, 2, 2, 2, 0, 0, false, VectorSupport.Impl.VECTOR),
                Pool2d.create(16, 16, 16, 16, 16, 16, 16, 0, 0, false, VectorSupport.Impl.VECTOR),
            };
            // 13 outputs: blocks of 4 and one left over; a batch of 2 takes the paired path
            Linear fc = Linear.create(64, 13, random(13 * 64, 3), epilogue(13, false));
            float[] x = random(16 * 16 * 16, 4), y = new float[24 * 16 * 16], r = random(24 * 16 * 16, 5);
            long scratch = 0;
            for (Conv2d c : convs) scratch = Math.max(scratch, c.scratchFloats(1));
            for (Pool2d p : pools) scratch = Math.max(scratch, p.scratchFloats(1));
            float[] s = new float[(int) scratch + 64];
            int i = 0;
            for (; i < calls && going.getAsBoolean(); i++) {
                for (Conv2d c : convs) c.run(x, y, r, 1, s, one);
                for (Pool2d p : pools) p.run(x, y, 1, s, one);
                fc.run(x, y, r, 2, s, one);
                fc.run(x, y, r, 1, s, one);
            }
            return i;
        }
    }

    /** The convolutions each round runs. */
    static Conv2d[] convs() {
        Conv2d[] each = {
            // 3×3 with tall and short row panels (24 and 16 channels: 12 and 8 rows with AVX-512,
            // 5 and 4 with AVX2) and K = 288 in two or three blocks, a 1×1 read from the input, a
            // stride-2 conv, depthwise convs of stride 1 and 2, Winograd with short and tall row
            // panels; the 5×5 map's last column panel is a vector alone, which runs the half tile.
            gemm(32, 5, 5, 24, false),
            gemm(32, 6, 6, 16, true),
            conv(16, 6, 6, 24, 1, 1, 0, 1, true),
            conv(8, 8, 8, 24, 3, 2, 1, 1, false),
            conv(8, 6, 6, 8, 3, 1, 1, 8, false),
            conv(8, 8, 8, 8, 3, 2, 1, 8, false),
            conv(16, 16, 16, 16, 3, 1, 1, 1, true),
            conv(16, 12, 12, 24, 3, 1, 1, 1, false),
            // Winograd's 4×4 tiles (which the factory takes only on larger maps with more channels),
            // numbered with extended columns
            new VectorWinogradConv(new ConvShape(16, 16, 16, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1), random(16 * 16 * 9, 19),
                    epilogue(16, false), 4, false),
            // and 2×2 tiles numbered compactly on a map whose vectors of tiles span rows of tiles
            // (the 16×16 above: rows of tiles a vector long on AVX2, the 12×12 extended columns)
            new VectorWinogradConv(new ConvShape(16, 8, 8, 24, 3, 3, 1, 1, 1, 1, 1, 1, 1), random(24 * 16 * 9, 23),
                    epilogue(24, false), 2, true),
            // the epilogue's general path (sigmoid)
            Conv2d.create(8, 6, 6, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, random(8 * 8 * 9, 11),
                    Epilogue.of(random(8, 8), Activation.SIGMOID), VectorSupport.Impl.VECTOR),
        };
        return java.util.stream.Stream.concat(java.util.Arrays.stream(lanes()), java.util.Arrays.stream(each)).toArray(Conv2d[]::new);
    }

    /**
     * With 16-float vectors, the output channels along the lanes on a 1×1 conv from the input as
     * it lies and a 3×3 one from its padded copy, both to 7×7, first in each round. K is 16 and
     * 18 rather than the 256 or more the factory gives the kernel, so that a call is cheap while
     * it runs interpreted. That is not enough for large models: ResNet-50's first call, in a fresh
     * JVM, took 0.71–1.28 s (median 0.88) against 0.48–0.86 (0.51) before the kernel, C2 compiling
     * its tile during that call; with K = 288 here, or each of these run eight times a round,
     * no less.
     */
    private static Conv2d[] lanes() {
        if (VectorOps.VL != 16) return new Conv2d[0];
        return new Conv2d[] {
            new VectorChannelLanesConv(new ConvShape(16, 7, 7, 48, 1, 1, 1, 1, 0, 0, 1, 1, 1), random(48 * 16, 29), epilogue(48, true)),
            new VectorChannelLanesConv(new ConvShape(2, 7, 7, 48, 3, 3, 1, 1, 1, 1, 1, 1, 1), random(48 * 18, 31), epilogue(48, false)),
        };
    }

    /** A 3×3 stride-1 conv on the GEMM kernel, which the factory may pass over for Winograd there. */
    private static Conv2d gemm(int ic, int ih, int iw, int oc, boolean residual) {
        return new VectorGemmConv(new ConvShape(ic, ih, iw, oc, 3, 3, 1, 1, 1, 1, 1, 1, 1), random(oc * ic * 9, oc + 3),
                epilogue(oc, residual));
    }

    private static Conv2d conv(int ic, int ih, int iw, int oc, int k, int stride, int pad, int groups, boolean residual) {
        return Conv2d.create(ic, ih, iw, oc, k, k, stride, stride, pad, pad, 1, 1, groups,
                random(oc * (ic / groups) * k * k, oc + k), epilogue(oc, residual), VectorSupport.Impl.VECTOR);
    }

    /** Bias and ReLU, or bias, residual and ReLU. */
    private static Epilogue epilogue(int channels, boolean residual) {
        return residual ? new Epilogue(random(channels, channels), Activation.NONE, 0f, true, Activation.RELU, 0f)
                : new Epilogue(random(channels, channels), Activation.RELU, 0f, false, Activation.NONE, 0f);
    }

    private static float[] random(int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) rnd.nextDouble(-1, 1);
        return a;
    }
}
