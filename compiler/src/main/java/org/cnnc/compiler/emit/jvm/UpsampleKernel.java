package org.cnnc.compiler.emit.jvm;

import com.palantir.javapoet.CodeBlock;
import org.cnnc.compiler.emit.Constants;
import org.cnnc.compiler.ir.Op;

/**
 * Upsampling by an integer factor. Nearest: source ⌊dst/scale⌋. Bilinear, as PyTorch:
 * source (dst + ½)/scale − ½ clamped at 0, or dst·(in − 1)/(out − 1) with align_corners.
 */
final class UpsampleKernel {
    private UpsampleKernel() {}

    static CodeBlock body(KernelContext k, Op.Upsample u) {
        int[] in = Kernels.chw(k.in()), out = Kernels.chw(k.out());
        CodeBlock.Builder b = CodeBlock.builder();
        b.add(new Constants().add("C", in[0]).add("IH", in[1]).add("IW", in[2])
                .add("OH", out[1]).add("OW", out[2]).add("FH", u.scaleH()).add("FW", u.scaleW()).declaration());
        Kernels.beginParallel(b, k);
        b.beginControlFlow("for (int nc = from; nc < to; nc++)");
        b.addStatement("int xo = nc * (IH * IW), yo = nc * (OH * OW)");
        b.beginControlFlow("for (int oh = 0; oh < OH; oh++)");
        if (u.mode() == Op.UpsampleMode.NEAREST) {
            b.addStatement("int ih = oh / FH");
            b.addStatement("for (int ow = 0; ow < OW; ow++) y[yo + oh * OW + ow] = x0[xo + ih * IW + ow / FW]");
        } else {
            b.addStatement("float sh = $L", source(u.alignCorners(), "oh", in[1], out[1], u.scaleH()));
            b.addStatement("int h0 = (int) sh, h1 = Math.min(h0 + 1, IH - 1)");
            b.addStatement("float lh = sh - h0");
            b.beginControlFlow("for (int ow = 0; ow < OW; ow++)");
            b.addStatement("float sw = $L", source(u.alignCorners(), "ow", in[2], out[2], u.scaleW()));
            b.addStatement("int w0 = (int) sw, w1 = Math.min(w0 + 1, IW - 1)");
            b.addStatement("float lw = sw - w0");
            b.addStatement("float top = x0[xo + h0 * IW + w0] * (1 - lw) + x0[xo + h0 * IW + w1] * lw");
            b.addStatement("float bottom = x0[xo + h1 * IW + w0] * (1 - lw) + x0[xo + h1 * IW + w1] * lw");
            b.addStatement("y[yo + oh * OW + ow] = top * (1 - lh) + bottom * lh");
            b.endControlFlow();
        }
        b.endControlFlow().endControlFlow();
        Kernels.endParallel(b, k);
        return b.build();
    }

    private static String source(boolean alignCorners, String dst, int in, int out, int scale) {
        if (alignCorners) {
            return out > 1 ? dst + " * " + ((float) (in - 1) / (out - 1)) + "f" : "0f";
        }
        return "Math.max(0f, (" + dst + " + 0.5f) / " + scale + "f - 0.5f)";
    }
}
