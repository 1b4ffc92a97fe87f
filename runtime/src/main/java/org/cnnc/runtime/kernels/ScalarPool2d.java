package org.cnnc.runtime.kernels;

import org.cnnc.runtime.Parallel;

/** Pooling in plain loops, one channel of one sample per task, each window clipped to the input. */
final class ScalarPool2d extends Pool2d {
    private final Parallel.Task task = this::channels;

    ScalarPool2d(ConvShape shape, boolean max) {
        super(shape, max);
    }

    @Override
    public long scratchFloats(int threads) {
        return 0;
    }

    @Override
    public String strategy() {
        return "plain loops";
    }

    @Override
    public void run(float[] x, float[] y, int batch, float[] scratch, Parallel parallel) {
        checkCall(x, y, batch, scratch, parallel);
        Threads.forRange(parallel, batch * shape.ic(), work(batch), Threads.SCALAR, task, x, y, null, null, 0, 0);
    }

    /** Channels [from, to) of the batch, numbered sample-major. */
    private void channels(float[] x, float[] y, float[] unused, float[] none, int i, int j, int from, int to) {
        final ConvShape s = shape;
        final int ih = s.ih(), iw = s.iw(), oh = s.oh(), ow = s.ow();
        final float scale = 1f / (s.kh() * s.kw());
        for (int u = from; u < to; u++) {
            int xo = u * ih * iw, yo = u * oh * ow;
            for (int r = 0; r < oh; r++) {
                int h0 = Math.max(0, r * s.sh() - s.ph()), h1 = Math.min(ih, r * s.sh() - s.ph() + s.kh());
                for (int c = 0; c < ow; c++) {
                    int w0 = Math.max(0, c * s.sw() - s.pw()), w1 = Math.min(iw, c * s.sw() - s.pw() + s.kw());
                    float acc = max ? Float.NEGATIVE_INFINITY : 0f;
                    for (int h = h0; h < h1; h++) {
                        for (int w = w0; w < w1; w++) {
                            float v = x[xo + h * iw + w];
                            acc = max ? Math.max(acc, v) : acc + v;
                        }
                    }
                    y[yo + r * ow + c] = max ? acc : acc * scale;
                }
            }
        }
    }
}
