package org.cnnc.runtime.kernels;

import org.cnnc.runtime.Parallel;

/**
 * Direct convolution in plain loops, one output channel of one sample per task. Padding is
 * handled by clipping each kernel row and column to the input once per output position, so the
 * innermost loop has no test.
 */
final class ScalarConv2d extends Conv2d {
    private final float[] w;

    ScalarConv2d(ConvShape shape, float[] weights, Epilogue epilogue) {
        super(shape, epilogue);
        this.w = weights;
    }

    @Override
    public long scratchFloats(int threads) {
        return 0;
    }

    @Override
    public String strategy() {
        return "plain loops, direct";
    }

    @Override
    public void run(float[] x, float[] y, float[] residual, int batch, float[] scratch, Parallel parallel) {
        checkCall(x, y, residual, batch, scratch, parallel);
        final ConvShape s = shape;
        final int oc = s.oc(), icg = s.icg(), ocg = s.ocg(), ih = s.ih(), iw = s.iw(), kh = s.kh(), kw = s.kw();
        final int oh = s.oh(), ow = s.ow(), sh = s.sh(), sw = s.sw(), ph = s.ph(), pw = s.pw(), dh = s.dh(), dw = s.dw();
        final int inSize = inputSize(), plane = oh * ow;
        final Epilogue e = epilogue;
        Threads.forRange(parallel, batch * oc, s.macs() * batch, Threads.SCALAR, (from, to) -> {
            for (int nc = from; nc < to; nc++) {
                int n = nc / oc, c = nc % oc;
                int xg = n * inSize + (c / ocg) * (icg * ih * iw);
                int wo = c * (icg * kh * kw);
                int yo = nc * plane;
                for (int y0 = 0; y0 < oh; y0++) {
                    int ihBase = y0 * sh - ph;
                    int khFrom = ihBase >= 0 ? 0 : (-ihBase + dh - 1) / dh;
                    int khTo = Math.min(kh, Math.floorDiv(ih - 1 - ihBase, dh) + 1);
                    for (int x0 = 0; x0 < ow; x0++) {
                        int iwBase = x0 * sw - pw;
                        int kwFrom = iwBase >= 0 ? 0 : (-iwBase + dw - 1) / dw;
                        int kwTo = Math.min(kw, Math.floorDiv(iw - 1 - iwBase, dw) + 1);
                        float acc = 0f;
                        for (int i = 0; i < icg; i++) {
                            int xc = xg + i * ih * iw, wc = wo + i * kh * kw;
                            for (int a = khFrom; a < khTo; a++) {
                                int xr = xc + (ihBase + a * dh) * iw + iwBase, wr = wc + a * kw;
                                for (int b = kwFrom; b < kwTo; b++) acc += x[xr + b * dw] * w[wr + b];
                            }
                        }
                        int i = yo + y0 * ow + x0;
                        y[i] = e.apply(acc, c, e.residual() ? residual[i] : 0f);
                    }
                }
            }
        });
    }
}
