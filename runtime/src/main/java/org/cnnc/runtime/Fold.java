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
}
