package org.cnnc.runtime.kernels;

import org.cnnc.runtime.Parallel;

/** Dot products in plain loops, split over samples × output features. */
final class ScalarLinear extends Linear {
    ScalarLinear(int in, int out, float[] weights, Epilogue epilogue) {
        super(in, out, weights, epilogue);
    }

    @Override
    public long scratchFloats(int threads) {
        return 0;
    }

    @Override
    public void run(float[] x, float[] y, float[] residual, int batch, float[] scratch, Parallel parallel) {
        checkCall(x, y, residual, batch);
        final float[] w = weights;
        final Epilogue e = epilogue;
        Threads.forRange(parallel, batch * out, (long) in * out * batch, Threads.SCALAR, (from, to) -> {
            for (int no = from; no < to; no++) {
                int xo = (no / out) * in, wo = (no % out) * in;
                float acc = 0f;
                for (int i = 0; i < in; i++) acc += w[wo + i] * x[xo + i];
                y[no] = e.apply(acc, no % out, e.residual() ? residual[no] : 0f);
            }
        });
    }
}
