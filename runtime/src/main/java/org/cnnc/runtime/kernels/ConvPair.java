package org.cnnc.runtime.kernels;

import org.cnnc.runtime.Parallel;

/**
 * Two convolutions of one input with the same geometry (kernel, stride, padding, dilation, no
 * groups), such as a ResNet block's first convolution and its projection shortcut, each with its
 * own epilogue and output. Where the Vector API's matrix product takes them, they run as one
 * convolution with the output channels of both: the input padded and packed once, twice the rows
 * for every column panel, one hand-off between the threads; each row panel's sums are stored to
 * the output its channels belong to. Elsewhere (Winograd's or the depthwise kernel's shapes,
 * plain loops, an activation that does not clamp) the two run one after the other.
 */
public final class ConvPair {
    /** Both convolutions in one kernel, as a {@link Backend} makes it. */
    interface OneKernel {
        void run(float[] x, float[] y1, float[] y2, int batch, float[] scratch, Parallel parallel);

        long scratchFloats(int threads);

        String strategy();
    }

    private final int oc1, oc2, plane, inputSize;
    /** The two as one, or null where they run apart. */
    private final OneKernel merged;
    private final Conv2d first, second;

    private ConvPair(int oc1, int oc2, int plane, int inputSize, OneKernel merged, Conv2d first, Conv2d second) {
        this.oc1 = oc1;
        this.oc2 = oc2;
        this.plane = plane;
        this.inputSize = inputSize;
        this.merged = merged;
        this.first = first;
        this.second = second;
    }

    /** The pair of convolutions of {@code oc1} and {@code oc2} output channels; weights as {@link Conv2d#create}'s. */
    public static ConvPair create(int ic, int ih, int iw, int oc1, int oc2, int kh, int kw, int sh, int sw, int ph, int pw,
                                  int dh, int dw, float[] weights1, Epilogue epilogue1, float[] weights2, Epilogue epilogue2) {
        return create(ic, ih, iw, oc1, oc2, kh, kw, sh, sw, ph, pw, dh, dw, weights1, epilogue1, weights2, epilogue2,
                VectorSupport.Impl.AUTO);
    }

    static ConvPair create(int ic, int ih, int iw, int oc1, int oc2, int kh, int kw, int sh, int sw, int ph, int pw,
                           int dh, int dw, float[] weights1, Epilogue epilogue1, float[] weights2, Epilogue epilogue2,
                           VectorSupport.Impl impl) {
        ConvShape both = new ConvShape(ic, ih, iw, oc1 + oc2, kh, kw, sh, sw, ph, pw, dh, dw, 1);
        Epilogue e1 = epilogue1 == null ? Epilogue.NONE : epilogue1, e2 = epilogue2 == null ? Epilogue.NONE : epilogue2;
        long perChannel = (long) ic * kh * kw;
        if (weights1.length != oc1 * perChannel || weights2.length != oc2 * perChannel) {
            throw new IllegalArgumentException("conv pair " + both + ": " + weights1.length + " and " + weights2.length
                    + " weights, expected " + oc1 * perChannel + " and " + oc2 * perChannel);
        }
        e1.checkBias(oc1, "conv pair " + both);
        e2.checkBias(oc2, "conv pair " + both);
        float[] w = new float[weights1.length + weights2.length];
        System.arraycopy(weights1, 0, w, 0, weights1.length);
        System.arraycopy(weights2, 0, w, weights1.length, weights2.length);
        OneKernel merged = VectorSupport.backend(impl).split(both, w, e1, e2, oc1);
        int plane = both.oh() * both.ow(), inputSize = ic * ih * iw;
        if (merged != null) return new ConvPair(oc1, oc2, plane, inputSize, merged, null, null);
        return new ConvPair(oc1, oc2, plane, inputSize, null,
                Conv2d.create(ic, ih, iw, oc1, kh, kw, sh, sw, ph, pw, dh, dw, 1, weights1, e1, impl),
                Conv2d.create(ic, ih, iw, oc2, kh, kw, sh, sw, ph, pw, dh, dw, 1, weights2, e2, impl));
    }

    /** Floats of scratch one call needs when {@code parallel} has {@code threads} threads. */
    public long scratchFloats(int threads) {
        return merged != null ? merged.scratchFloats(threads) : Math.max(first.scratchFloats(threads), second.scratchFloats(threads));
    }

    /** Whether the two run as one convolution. */
    public boolean merged() {
        return merged != null;
    }

    public String strategy() {
        return merged != null ? "one convolution of " + (oc1 + oc2) + " output channels, stored to two outputs: " + merged.strategy()
                : "two convolutions, one after the other: " + first.strategy() + "; " + second.strategy();
    }

    /** x: batch × IC × IH × IW; y1: batch × oc1 × OH × OW; y2: batch × oc2 × OH × OW; neither may overlap x. */
    public void run(float[] x, float[] y1, float[] y2, int batch, float[] scratch, Parallel parallel) {
        if (batch < 1) throw new IllegalArgumentException("conv pair: batch must be at least 1, not " + batch);
        check(x, (long) batch * inputSize, "input");
        check(y1, (long) batch * oc1 * plane, "first output");
        check(y2, (long) batch * oc2 * plane, "second output");
        long need = scratchFloats(parallel.threads());
        if (need > 0 && (scratch == null || scratch.length < need)) {
            throw new IllegalArgumentException("conv pair: scratch holds " + (scratch == null ? 0 : scratch.length) + " floats, needs " + need);
        }
        if (merged != null) {
            merged.run(x, y1, y2, batch, scratch, parallel);
        } else {
            first.run(x, y1, null, batch, scratch, parallel);
            second.run(x, y2, null, batch, scratch, parallel);
        }
    }

    private static void check(float[] a, long need, String what) {
        if (a == null || a.length < need) {
            throw new IllegalArgumentException("conv pair: " + what + " holds " + (a == null ? 0 : a.length) + " floats, needs " + need);
        }
    }
}
