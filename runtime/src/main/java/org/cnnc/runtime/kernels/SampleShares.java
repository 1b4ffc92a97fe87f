package org.cnnc.runtime.kernels;

import org.cnnc.runtime.Parallel;

/**
 * A convolution's batch dealt out to the threads, as the matrix-product kernels deal theirs: on
 * the calling thread alone where the work is too small to split, as whole samples where the batch
 * divides well among the threads ({@link Threads#bySample}: one hand-off for the batch), else each
 * sample in shares, one hand-off a sample. The kernel says what a share is ({@link Part}); the
 * loop bodies are made once, so a call allocates nothing.
 */
final class SampleShares {
    /** A kernel's part of the work. */
    @FunctionalInterface
    interface Part {
        /**
         * Share {@code share} of {@code shares} of sample n (one share of one: the whole sample),
         * on the thread's part of the scratch, from {@code at}.
         */
        void run(float[] x, float[] y, float[] res, float[] scratch, int n, int share, int shares, int at);
    }

    private final Part part;
    private final Parallel.Task bySample = this::samples, byShare = this::shares;

    SampleShares(Part part) {
        this.part = part;
    }

    /** The batch's samples, each of {@code perSample} multiply-accumulates (as the matrix product counts them). */
    void run(float[] x, float[] y, float[] res, int batch, float[] scratch, Parallel parallel, long perSample) {
        final int threads = Threads.workers(parallel, perSample * batch, Threads.GEMM);
        if (threads == 1) {
            for (int n = 0; n < batch; n++) part.run(x, y, res, scratch, n, 0, 1, 0);
        } else if (Threads.bySample(batch, threads, perSample, Threads.GEMM)) {
            parallel.forRange(threads, bySample, x, y, res, scratch, batch, threads);
        } else {
            for (int n = 0; n < batch; n++) parallel.forRange(threads, byShare, x, y, res, scratch, n, threads);
        }
    }

    /** Threads [t0, t1) of {@code threads}, each with its share of the batch's samples, whole. */
    private void samples(float[] x, float[] y, float[] res, float[] scratch, int batch, int threads, int t0, int t1) {
        for (int t = t0; t < t1; t++) {
            for (int n = batch * t / threads, end = batch * (t + 1) / threads; n < end; n++) {
                part.run(x, y, res, scratch, n, 0, 1, Threads.region(scratch, threads, t));
            }
        }
    }

    /** Threads [t0, t1) of {@code threads}, each with its share of sample n. */
    private void shares(float[] x, float[] y, float[] res, float[] scratch, int n, int threads, int t0, int t1) {
        for (int t = t0; t < t1; t++) part.run(x, y, res, scratch, n, t, threads, Threads.region(scratch, threads, t));
    }
}
