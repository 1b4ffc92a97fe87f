package org.cnnc.runtime.kernels;

import org.cnnc.runtime.Parallel;

/**
 * How many threads a call is worth. With the workers spinning between kernels (as they do
 * through an inference), handing a range to the other core and waiting for it costs about
 * 0.2 µs (an empty task, 2 threads, AMD EPYC Zen 3), so a call is split once its work is a
 * microsecond or two; a worker parked after a pause costs tens of microseconds once, on the
 * inference's first split. On that machine LeNet-5, all of whose layers ran on the calling
 * thread under thresholds of 2²⁰ and 2¹⁸, took 0.82–0.92 of the time with 2¹⁷ and 2¹⁵, and
 * these took 0.81–0.91 of that (`CompareJars`, both orders); 2¹⁵ and 2¹³ or 2¹⁴ and 2¹² were no
 * faster. The CIFAR ResNet, whose stem now splits: 0.94–0.99.
 */
final class Threads {
    /** Multiply-accumulates worth splitting, for the vector GEMM (~70 G/s on one core: ~1 µs). */
    static final long GEMM = 1L << 16;
    /** For kernels bound by memory or loads rather than FMAs (depthwise, linear): ~10–20 G/s. */
    static final long STREAM = 1L << 14;
    /**
     * Calls under this many times their threshold run alone while the workers are parked (after
     * a pause of 0.2 ms; see {@link Parallel#parkedForSmallWork}). LeNet-5 called once a
     * millisecond took 0.065–0.10 ms a call when each call's first split woke a worker and
     * waited for it, 0.047 this way (0.041 when none of its layers split); once every 0.3 ms 0.062
     * against 0.039; back to back 0.024 either way.
     */
    static final long WAKE = 16;
    /** For the plain loops (~3 G/s): the threshold of the loops models emit, too. */
    static final long SCALAR = Parallel.SERIAL_WORK;

    /** Tests set this to split even the smallest call, so that small shapes cover the threaded paths. */
    static volatile boolean splitEverything;

    private Threads() {}

    static int workers(Parallel parallel, long macs, long worthSplitting) {
        if (splitEverything) return parallel.threads();
        if (macs < worthSplitting) return 1;
        if (macs < WAKE * worthSplitting && parallel.parkedForSmallWork()) return 1;
        return parallel.threads();
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
