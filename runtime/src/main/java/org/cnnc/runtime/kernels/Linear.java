package org.cnnc.runtime.kernels;

import org.cnnc.runtime.Parallel;

/**
 * A fully connected layer, {@code y[n, o] = epilogue(Σ_i W[o, i]·x[n, i])} with PyTorch's
 * {@code [out, in]} weights (used in place, not copied); the bias and the residual are indexed
 * by output feature and by output element. An instance may run on several threads at once.
 */
public abstract class Linear {
    final int in, out;
    final float[] weights;
    final Epilogue epilogue;

    Linear(int in, int out, float[] weights, Epilogue epilogue) {
        this.in = in;
        this.out = out;
        this.weights = weights;
        this.epilogue = epilogue;
    }

    /** The Vector API implementation where it is available, else plain loops. */
    public static Linear create(int in, int out, float[] weights, Epilogue epilogue) {
        return create(in, out, weights, epilogue, VectorSupport.Impl.AUTO);
    }

    static Linear create(int in, int out, float[] weights, Epilogue epilogue, VectorSupport.Impl impl) {
        if (in < 1 || out < 1) throw new IllegalArgumentException("linear: invalid size " + in + " -> " + out);
        if (weights.length != (long) in * out) {
            throw new IllegalArgumentException("linear " + in + " -> " + out + ": " + weights.length + " weights, expected "
                    + (long) in * out);
        }
        Epilogue e = epilogue == null ? Epilogue.NONE : epilogue;
        e.checkBias(out, "linear");
        return VectorSupport.backend(impl).linear(in, out, weights, e);
    }

    public final int inFeatures() {
        return in;
    }

    public final int outFeatures() {
        return out;
    }

    /** Floats of scratch one call needs when {@code parallel} has {@code threads} threads. */
    public abstract long scratchFloats(int threads);

    /**
     * x: batch×in, y: batch×out, residual: batch×out or null (required iff the epilogue adds one;
     * may be y itself). y must not overlap x.
     */
    public abstract void run(float[] x, float[] y, float[] residual, int batch, float[] scratch, Parallel parallel);

    void checkCall(float[] x, float[] y, float[] residual, int batch) {
        if (batch < 1) throw new IllegalArgumentException("linear: batch must be at least 1, not " + batch);
        if (x.length < (long) batch * in) throw new IllegalArgumentException("linear: input shorter than " + (long) batch * in);
        if (y.length < (long) batch * out) throw new IllegalArgumentException("linear: output shorter than " + (long) batch * out);
        if (epilogue.residual() && (residual == null || residual.length < (long) batch * out)) {
            throw new IllegalArgumentException("linear: residual missing or shorter than " + (long) batch * out);
        }
    }
}
