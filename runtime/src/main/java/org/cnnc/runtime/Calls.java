package org.cnnc.runtime;

import org.cnnc.runtime.kernels.VectorSupport;

/** Checks generated models make on every call before they touch the caller's arrays. */
public final class Calls {
    private Calls() {}

    /**
     * Throws IllegalArgumentException unless the arrays hold {@code batch} samples of the given
     * sizes. A call also ends the kernels' background warm-up, which would share the cores with it.
     */
    public static void checkBatch(float[] input, float[] output, int batch, int inputSize, int outputSize) {
        VectorSupport.endWarmUp();
        if (batch < 1) throw new IllegalArgumentException("batch must be at least 1, not " + batch);
        if (input.length < (long) batch * inputSize) {
            throw new IllegalArgumentException("input holds " + input.length + " values; a batch of " + batch
                    + " needs " + (long) batch * inputSize);
        }
        if (output.length < (long) batch * outputSize) {
            throw new IllegalArgumentException("output holds " + output.length + " values; a batch of " + batch
                    + " needs " + (long) batch * outputSize);
        }
    }
}
