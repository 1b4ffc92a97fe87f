package org.cnnc.runtime.kernels;

/** An element-wise function applied in a kernel's epilogue; {@code alpha} is LeakyReLU's slope. */
public enum Activation {
    NONE, RELU, RELU6, LEAKY_RELU, SIGMOID, TANH;

    /** The function at {@code v}, computed as the generated scalar code computes it. */
    public float apply(float v, float alpha) {
        return switch (this) {
            case NONE -> v;
            case RELU -> v > 0f ? v : 0f;
            case RELU6 -> v > 0f ? (v < 6f ? v : 6f) : 0f;
            case LEAKY_RELU -> v > 0f ? v : alpha * v;
            case SIGMOID -> (float) (1.0 / (1.0 + Math.exp(-v)));
            case TANH -> (float) Math.tanh(v);
        };
    }
}
