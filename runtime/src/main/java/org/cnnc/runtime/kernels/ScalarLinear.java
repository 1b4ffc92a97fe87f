package org.cnnc.runtime.kernels;

import org.cnnc.runtime.Parallel;

/** Dot products in plain loops, split over samples × output features. */
final class ScalarLinear extends Linear {
    private final Parallel.Task task = this::outputs;

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
        Threads.forRange(parallel, batch * out, (long) in * out * batch, Threads.SCALAR, task, x, y, residual, null, 0, 0);
    }

    /** Outputs [from, to) of the batch, numbered sample-major. */
    private void outputs(float[] x, float[] y, float[] residual, float[] unused, int i, int j, int from, int to) {
        final float[] w = weights;
        final Epilogue e = epilogue;
        for (int no = from; no < to; no++) {
            int xo = (no / out) * in, wo = (no % out) * in;
            float acc = 0f;
            for (int k = 0; k < in; k++) acc += w[wo + k] * x[xo + k];
            y[no] = e.apply(acc, no % out, e.residual() ? residual[no] : 0f);
        }
    }
}
