package org.cnnc.runtime.kernels;

/**
 * What happens to each output value after the sum, as the tile is stored:
 * {@code y = after(act(acc + bias[c]) + residual[i])}. {@code bias} holds one value per output
 * channel (or feature) or is null; with {@code residual} the kernel adds the element of the
 * residual array at the output's own index. Null activations mean {@link Activation#NONE}.
 */
public record Epilogue(float[] bias, Activation act, float alpha, boolean residual, Activation after, float afterAlpha) {
    /** Stores the plain sum. */
    public static final Epilogue NONE = new Epilogue(null, Activation.NONE, 0f, false, Activation.NONE, 0f);

    public Epilogue {
        if (act == null) act = Activation.NONE;
        if (after == null) after = Activation.NONE;
    }

    /** Bias (or null) then an activation, no residual. */
    public static Epilogue of(float[] bias, Activation act) {
        return new Epilogue(bias, act, 0f, false, Activation.NONE, 0f);
    }

    public Epilogue withBias(float[] b) {
        return new Epilogue(b, act, alpha, residual, after, afterAlpha);
    }

    public Epilogue withAct(Activation a, float slope) {
        return new Epilogue(bias, a, slope, residual, after, afterAlpha);
    }

    /** Adds the residual, then applies {@code a} to the sum. */
    public Epilogue withResidual(Activation a, float slope) {
        return new Epilogue(bias, act, alpha, true, a, slope);
    }

    /** The value stored for sum {@code acc} of channel {@code c}; {@code res} is ignored without a residual. */
    float apply(float acc, int c, float res) {
        float v = bias == null ? acc : acc + bias[c];
        v = act.apply(v, alpha);
        if (residual) v += res;
        return after.apply(v, afterAlpha);
    }

    void checkBias(int channels, String kernel) {
        if (bias != null && bias.length != channels) {
            throw new IllegalArgumentException(kernel + ": bias has " + bias.length + " values, not " + channels);
        }
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("Epilogue[");
        s.append(bias == null ? "no bias" : "bias");
        if (act != Activation.NONE) s.append(", ").append(act).append(act == Activation.LEAKY_RELU ? "(" + alpha + ")" : "");
        if (residual) s.append(", +residual");
        if (after != Activation.NONE) s.append(", ").append(after).append(after == Activation.LEAKY_RELU ? "(" + afterAlpha + ")" : "");
        return s.append(']').toString();
    }
}
