package org.cnnc.runtime.kernels;

/** The geometry of one 2-D convolution, validated; output size as PyTorch computes it. */
record ConvShape(int ic, int ih, int iw, int oc, int kh, int kw, int sh, int sw, int ph, int pw,
                 int dh, int dw, int groups) {
    ConvShape {
        if (ic < 1 || ih < 1 || iw < 1 || oc < 1 || kh < 1 || kw < 1 || sh < 1 || sw < 1 || dh < 1 || dw < 1
                || ph < 0 || pw < 0 || groups < 1) {
            throw new IllegalArgumentException("conv: invalid geometry " + describe(ic, ih, iw, oc, kh, kw, sh, sw, ph, pw, dh, dw, groups));
        }
        if (ic % groups != 0 || oc % groups != 0) {
            throw new IllegalArgumentException("conv: " + ic + " input and " + oc + " output channels do not divide into "
                    + groups + " groups");
        }
        if (ih + 2 * ph < dh * (kh - 1) + 1 || iw + 2 * pw < dw * (kw - 1) + 1) {
            throw new IllegalArgumentException("conv: the kernel does not fit the padded input "
                    + describe(ic, ih, iw, oc, kh, kw, sh, sw, ph, pw, dh, dw, groups));
        }
    }

    int oh() {
        return (ih + 2 * ph - dh * (kh - 1) - 1) / sh + 1;
    }

    int ow() {
        return (iw + 2 * pw - dw * (kw - 1) - 1) / sw + 1;
    }

    int icg() {
        return ic / groups;
    }

    int ocg() {
        return oc / groups;
    }

    /** Length of one output channel's weights: IC/g · KH · KW. */
    int k() {
        return icg() * kh * kw;
    }

    long weightCount() {
        return (long) oc * k();
    }

    boolean depthwise() {
        return groups == ic && groups == oc && groups > 1;
    }

    /**
     * Stride 1 and no padding: the input as it lies is already the padded image of one phase, so
     * each tap of a run of outputs reads a contiguous run of it (1×1 convolutions among these).
     */
    boolean readsInPlace() {
        return sh == 1 && sw == 1 && ph == 0 && pw == 0;
    }

    /** 3×3, stride 1, no dilation or groups: what Winograd's F(2×2, 3×3) computes, in 2×2 tiles. */
    boolean winogradTiles() {
        return kh == 3 && kw == 3 && sh == 1 && sw == 1 && dh == 1 && dw == 1 && groups == 1;
    }

    /** Multiply-accumulates of one sample. */
    long macs() {
        return (long) oc * oh() * ow() * k();
    }

    @Override
    public String toString() {
        return describe(ic, ih, iw, oc, kh, kw, sh, sw, ph, pw, dh, dw, groups);
    }

    private static String describe(int ic, int ih, int iw, int oc, int kh, int kw, int sh, int sw, int ph, int pw,
                                   int dh, int dw, int groups) {
        return ic + "x" + ih + "x" + iw + " -> " + oc + " k" + kh + "x" + kw + " s" + sh + "x" + sw + " p" + ph + "x" + pw
                + " d" + dh + "x" + dw + " g" + groups;
    }
}
