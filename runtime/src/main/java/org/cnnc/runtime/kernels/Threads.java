package org.cnnc.runtime.kernels;

import org.cnnc.runtime.Parallel;

/**
 * How many threads a call is worth. Handing work to the pool and waiting for it costs a few
 * microseconds (5–15 µs measured here on a busy 2-core machine), so a call whose work is below
 * about twice that runs on the calling thread alone.
 */
final class Threads {
    /** Multiply-accumulates worth splitting, for the vector GEMM (~70 G/s on one core: ~15 µs). */
    static final long GEMM = 1L << 20;
    /** For kernels bound by memory or loads rather than FMAs (depthwise, linear): ~10–20 G/s. */
    static final long STREAM = 1L << 18;
    /** For the plain loops (~3 G/s): the threshold of the loops models emit, too. */
    static final long SCALAR = Parallel.SERIAL_WORK;

    /** Tests set this to split even the smallest call, so that small shapes cover the threaded paths. */
    static volatile boolean splitEverything;

    private Threads() {}

    static int workers(Parallel parallel, long macs, long worthSplitting) {
        return macs < worthSplitting && !splitEverything ? 1 : parallel.threads();
    }

    /** {@link Parallel#forRange}, or the task on the calling thread when the work is too small to split. */
    static void forRange(Parallel parallel, int n, long macs, long worthSplitting, Parallel.Task task,
                         float[] a, float[] b, float[] c, float[] d, int i, int j) {
        if (workers(parallel, macs, worthSplitting) == 1) {
            if (n > 0) task.run(a, b, c, d, i, j, 0, n);
        } else {
            parallel.forRange(n, task, a, b, c, d, i, j);
        }
    }

    /**
     * Where thread t's part of {@code scratch} starts when {@code threads} threads share it: at
     * t × (its length ÷ threads), the same place in every kernel of a model (whose scratch is
     * sized for the kernel needing most), so that no kernel writes scratch lines the other core
     * wrote last. At t × the kernel's own need, the parts moved from layer to layer and overlapped.
     * A kernel that needs none may be given none: 0.
     */
    static int region(float[] scratch, int threads, int t) {
        return t == 0 || scratch == null ? 0 : (int) ((long) scratch.length / threads * t);
    }

    /** Whether a batch is dealt out as whole samples (else each sample is split across the threads). */
    static boolean bySample(int batch, int threads, long macsPerSample, long worthSplitting) {
        if (batch < threads) return false;
        if (batch % threads == 0) return true;
        return macsPerSample < worthSplitting * threads && !splitEverything;
    }
}
