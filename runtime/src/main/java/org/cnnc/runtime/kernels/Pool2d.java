package org.cnnc.runtime.kernels;

import org.cnnc.runtime.Parallel;

/**
 * Max or average pooling over NCHW float tensors, specialised to every dimension but the batch.
 * The output size is PyTorch's without {@code ceil_mode}: every window lies inside the padded
 * input, so an average divides by KH·KW (PyTorch's default, {@code count_include_pad}) and a max
 * ignores the padding. An instance holds no per-call state.
 */
public abstract class Pool2d {
    final ConvShape shape;
    final boolean max;

    Pool2d(ConvShape shape, boolean max) {
        this.shape = shape;
        this.max = max;
    }

    /** The Vector API implementation where it is available, else plain loops. */
    public static Pool2d create(int c, int ih, int iw, int kh, int kw, int sh, int sw, int ph, int pw, boolean max) {
        return create(c, ih, iw, kh, kw, sh, sw, ph, pw, max, VectorSupport.Impl.AUTO);
    }

    static Pool2d create(int c, int ih, int iw, int kh, int kw, int sh, int sw, int ph, int pw, boolean max,
                         VectorSupport.Impl impl) {
        if (ph * 2 > kh || pw * 2 > kw) {
            throw new IllegalArgumentException("pool: padding " + ph + "×" + pw + " is more than half the window " + kh + "×" + kw);
        }
        ConvShape s = new ConvShape(c, ih, iw, c, kh, kw, sh, sw, ph, pw, 1, 1, c);
        return VectorSupport.backend(impl).pool(s, max);
    }

    public final int outH() {
        return shape.oh();
    }

    public final int outW() {
        return shape.ow();
    }

    /** Floats of scratch one call needs when {@code parallel} has {@code threads} threads. */
    public abstract long scratchFloats(int threads);

    /** x: batch×C×IH×IW, y: batch×C×OH×OW (not overlapping x); scratch: at least {@link #scratchFloats} floats. */
    public abstract void run(float[] x, float[] y, int batch, float[] scratch, Parallel parallel);

    /** The implementation, for diagnostics. */
    public abstract String strategy();

    /** Rough operations of the whole call, to decide whether it is worth splitting across threads. */
    final long work(int batch) {
        return (long) batch * shape.oc() * shape.oh() * shape.ow() * shape.kh() * shape.kw();
    }

    void checkCall(float[] x, float[] y, int batch, float[] scratch, Parallel parallel) {
        long in = (long) batch * shape.ic() * shape.ih() * shape.iw(), out = (long) batch * shape.oc() * shape.oh() * shape.ow();
        if (batch < 1) throw new IllegalArgumentException("pool: batch must be at least 1, not " + batch);
        if (x.length < in) throw new IllegalArgumentException("pool " + shape + ": input holds " + x.length + " floats, needs " + in);
        if (y.length < out) throw new IllegalArgumentException("pool " + shape + ": output holds " + y.length + " floats, needs " + out);
        long need = scratchFloats(parallel.threads());
        if (need > 0 && (scratch == null || scratch.length < need)) {
            throw new IllegalArgumentException("pool " + shape + ": scratch holds " + (scratch == null ? 0 : scratch.length)
                    + " floats, needs " + need);
        }
    }
}
