package org.cnnc.runtime.kernels;

import java.util.function.Function;
import org.cnnc.runtime.Parallel;

/**
 * A vector convolution whose sigmoid or tanh is applied in one pass over its whole output once
 * the kernel has stored it, rather than as each tile is stored. The tiles store rows a panel
 * wide (16 floats on AVX2, fewer at a row's end), and a curve applied to such short runs cost
 * LeNet-5 three times what it costs over a channel's plane; the output of a sample is one run.
 * Taken where the curve can wait: it is the activation after the residual (or there is none),
 * or the activation before it with no residual.
 */
final class CurveAfterConv extends Conv2d {
    private final Conv2d kernel;
    /** What the pass applies: the curve (and anything after it), no bias, no residual. */
    private final Epilogue deferred;
    private final Parallel.Task task = this::chunks;

    private CurveAfterConv(Conv2d kernel, Epilogue whole, Epilogue deferred) {
        super(kernel.shape, whole);
        this.kernel = kernel;
        this.deferred = deferred;
    }

    /**
     * {@code kernel} made with the part of {@code e} stored with each tile, then the curve over
     * the output; or {@code kernel} made with {@code e} itself where nothing can or need wait.
     */
    static Conv2d of(Epilogue e, Function<Epilogue, Conv2d> kernel) {
        if (VectorOps.curves(e.act()) && !e.residual()) {
            return new CurveAfterConv(kernel.apply(Epilogue.of(e.bias(), Activation.NONE)), e,
                    new Epilogue(null, e.act(), e.alpha(), false, e.after(), e.afterAlpha()));
        }
        if (VectorOps.curves(e.after()) && !VectorOps.curves(e.act())) {
            return new CurveAfterConv(kernel.apply(new Epilogue(e.bias(), e.act(), e.alpha(), e.residual(), Activation.NONE, 0f)), e,
                    new Epilogue(null, e.after(), e.afterAlpha(), false, Activation.NONE, 0f));
        }
        return kernel.apply(e);
    }

    @Override
    public long scratchFloats(int threads) {
        return kernel.scratchFloats(threads);
    }

    @Override
    public String strategy() {
        return kernel.strategy() + ", then " + deferred + " over the output";
    }

    @Override
    public void run(float[] x, float[] y, float[] residual, int batch, float[] scratch, Parallel parallel) {
        kernel.run(x, y, residual, batch, scratch, parallel);
        int values = batch * outputSize();
        // a curve costs about as much per value as 8 of the memory-bound kernels' multiply-adds;
        // the pass runs as that many equal chunks
        int threads = Threads.workers(parallel, 8L * values, Threads.STREAM);
        parallel.forRange(threads, task, y, null, null, null, values, threads);
    }

    /** Chunks [t0, t1) of the output's {@code values} floats in {@code threads} equal parts. */
    private void chunks(float[] y, float[] unused1, float[] unused2, float[] unused3, int values, int threads, int t0, int t1) {
        int from = (int) ((long) values * t0 / threads), to = (int) ((long) values * t1 / threads);
        if (to > from) VectorOps.epilogue(y, from, 0, y, from, 0, 1, to - from, 0, deferred, null);
    }
}
