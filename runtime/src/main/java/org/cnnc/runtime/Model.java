package org.cnnc.runtime;

import java.util.Map;

/**
 * A compiled network. Shapes are per sample ({@code [C, H, W]} or {@code [N]}); the batch is
 * chosen per call. One instance may be shared across threads: concurrent calls each take
 * their own working memory.
 */
public interface Model extends AutoCloseable {

    /** The network's name as declared in its .cnn file. */
    String name();

    int[] inputShape();

    int[] outputShape();

    /** Elements of one input sample. */
    default int inputSize() {
        return product(inputShape());
    }

    /** Elements of one output sample. */
    default int outputSize() {
        return product(outputShape());
    }

    /** Trainable parameters, as PyTorch counts them. */
    long parameterCount();

    /** What built the model: network parameters, source file, cnnc version, target. */
    Map<String, String> metadata();

    /** Where the kernels run, e.g. {@code jvm}. */
    String backend();

    /** Runs one sample; returns a new array of {@link #outputSize()} values. */
    default float[] predict(float[] input) {
        float[] out = new float[outputSize()];
        predict(input, out, 1);
        return out;
    }

    /**
     * Runs {@code batch} samples stored one after another in {@code input} (N, C, H, W order)
     * and writes their outputs one after another into {@code output}.
     */
    void predict(float[] input, float[] output, int batch);

    @Override
    void close();

    private static int product(int[] shape) {
        int n = 1;
        for (int d : shape) n = Math.multiplyExact(n, d);
        return n;
    }
}
