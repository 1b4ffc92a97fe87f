package org.cnnc.runtime;

/** Weight transformations a model applies once when it loads. */
public final class Fold {
    private Fold() {}

    /**
     * Folds inference BatchNorm into the layer before it: with s = γ/√(σ² + ε) per output channel,
     * W' = W·s and b' = (b − μ)·s + β. {@code weights} hold {@code outChannels} rows (PyTorch's
     * conv [O, I/g, kH, kW] or fc [out, in]); {@code bias} may be null. Returns {W', b'}, new arrays.
     */
    public static float[][] batchNorm(float[] weights, float[] bias, float[] gamma, float[] beta,
                                      float[] mean, float[] variance, double eps, int outChannels) {
        int perChannel = weights.length / outChannels;
        float[] w = new float[weights.length];
        float[] b = new float[outChannels];
        for (int c = 0; c < outChannels; c++) {
            double s = gamma[c] / Math.sqrt(variance[c] + eps);
            for (int i = c * perChannel, end = i + perChannel; i < end; i++) w[i] = (float) (weights[i] * s);
            b[c] = (float) (((bias == null ? 0.0 : bias[c]) - mean[c]) * s + beta[c]);
        }
        return new float[][] {w, b};
    }

    /**
     * Merges two fully connected layers with nothing between them: for W₁ [mid, in] and
     * W₂ [out, mid], returns {W₂·W₁ [out, in], W₂·b₁ + b₂ [out]} (biases may be null).
     * Sums are taken in double.
     */
    public static float[][] linear(float[] w1, float[] b1, float[] w2, float[] b2, int in, int mid, int out) {
        float[] w = new float[Math.multiplyExact(out, in)];
        float[] b = new float[out];
        double[] row = new double[in];
        for (int o = 0; o < out; o++) {
            java.util.Arrays.fill(row, 0);
            double bias = b2 == null ? 0 : b2[o];
            for (int m = 0; m < mid; m++) {
                double a = w2[o * mid + m];
                if (b1 != null) bias += a * b1[m];
                for (int i = 0, at = m * in; i < in; i++) row[i] += a * w1[at + i];
            }
            for (int i = 0; i < in; i++) w[o * in + i] = (float) row[i];
            b[o] = (float) bias;
        }
        return new float[][] {w, b};
    }
}
