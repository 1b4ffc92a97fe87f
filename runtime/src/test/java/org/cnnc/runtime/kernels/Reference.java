package org.cnnc.runtime.kernels;

/** Naive double-precision convolution and linear layer with their epilogues, the tests' yardstick. */
final class Reference {
    private Reference() {}

    static double act(Activation a, double v, double alpha) {
        return switch (a) {
            case NONE -> v;
            case RELU -> Math.max(v, 0);
            case RELU6 -> Math.min(Math.max(v, 0), 6);
            case LEAKY_RELU -> v >= 0 ? v : alpha * v;
            case SIGMOID -> 1 / (1 + Math.exp(-v));
            case TANH -> Math.tanh(v);
        };
    }

    static double epilogue(double acc, int channel, float[] res, int i, Epilogue e) {
        double v = acc + (e.bias() == null ? 0 : e.bias()[channel]);
        v = act(e.act(), v, e.alpha());
        if (e.residual()) v += res[i];
        return act(e.after(), v, e.afterAlpha());
    }

    static double[] conv(int ic, int ih, int iw, int oc, int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw,
                         int groups, float[] x, float[] w, Epilogue e, float[] res, int batch) {
        int oh = (ih + 2 * ph - dh * (kh - 1) - 1) / sh + 1, ow = (iw + 2 * pw - dw * (kw - 1) - 1) / sw + 1;
        int icg = ic / groups, ocg = oc / groups;
        double[] y = new double[batch * oc * oh * ow];
        for (int n = 0; n < batch; n++) {
            for (int o = 0; o < oc; o++) {
                int g = o / ocg;
                for (int r = 0; r < oh; r++) {
                    for (int c = 0; c < ow; c++) {
                        double acc = 0;
                        for (int i = 0; i < icg; i++) {
                            int ci = g * icg + i;
                            for (int a = 0; a < kh; a++) {
                                for (int b = 0; b < kw; b++) {
                                    int yy = r * sh - ph + a * dh, xx = c * sw - pw + b * dw;
                                    if (yy < 0 || yy >= ih || xx < 0 || xx >= iw) continue;
                                    acc += (double) x[((n * ic + ci) * ih + yy) * iw + xx] * w[((o * icg + i) * kh + a) * kw + b];
                                }
                            }
                        }
                        int idx = ((n * oc + o) * oh + r) * ow + c;
                        y[idx] = epilogue(acc, o, res, idx, e);
                    }
                }
            }
        }
        return y;
    }

    static double[] linear(int in, int out, float[] x, float[] w, Epilogue e, float[] res, int batch) {
        double[] y = new double[batch * out];
        for (int n = 0; n < batch; n++) {
            for (int o = 0; o < out; o++) {
                double acc = 0;
                for (int i = 0; i < in; i++) acc += (double) w[o * in + i] * x[n * in + i];
                y[n * out + o] = epilogue(acc, o, res, n * out + o, e);
            }
        }
        return y;
    }

    /** max|a − b| / max|b|. */
    static double relativeError(float[] a, double[] b) {
        double diff = 0, scale = 0;
        for (int i = 0; i < b.length; i++) {
            diff = Math.max(diff, Math.abs(a[i] - b[i]));
            scale = Math.max(scale, Math.abs(b[i]));
        }
        return scale == 0 ? diff : diff / scale;
    }
}
