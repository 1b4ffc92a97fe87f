package org.cnnc.compiler.emit.jvm;

import com.palantir.javapoet.CodeBlock;
import org.cnnc.compiler.emit.Constants;
import org.cnnc.compiler.ir.Op;

/**
 * Max and average pooling. Max ignores padding. Average divides, as PyTorch does, by the
 * window clipped to the padded input (count_include_pad) or by the real cells in it.
 */
final class PoolKernel {
    private PoolKernel() {}

    static CodeBlock body(KernelContext k, Op.Pool p) {
        int[] in = Kernels.chw(k.in()), out = Kernels.chw(k.out());
        boolean max = p.pool() == Op.PoolKind.MAX;
        CodeBlock.Builder b = CodeBlock.builder();
        b.add(new Constants().add("C", in[0]).add("IH", in[1]).add("IW", in[2]).add("OH", out[1]).add("OW", out[2])
                .add("KH", p.kh()).add("KW", p.kw()).add("SH", p.sh()).add("SW", p.sw())
                .add("PH", p.ph()).add("PW", p.pw()).declaration());
        Kernels.beginParallel(b, k);
        b.beginControlFlow("for (int nc = from; nc < to; nc++)");
        b.addStatement("int xo = nc * (IH * IW), yo = nc * (OH * OW)");
        b.beginControlFlow("for (int oh = 0; oh < OH; oh++)");
        b.beginControlFlow("for (int ow = 0; ow < OW; ow++)");
        b.addStatement("int h0 = oh * SH - PH, w0 = ow * SW - PW");
        b.addStatement("int h1 = Math.min(h0 + KH, IH + PH), w1 = Math.min(w0 + KW, IW + PW)");
        if (!max) b.addStatement("int window = (h1 - h0) * (w1 - w0)");
        b.addStatement("h0 = Math.max(h0, 0)");
        b.addStatement("w0 = Math.max(w0, 0)");
        b.addStatement("h1 = Math.min(h1, IH)");
        b.addStatement("w1 = Math.min(w1, IW)");
        b.addStatement(max ? "float acc = Float.NEGATIVE_INFINITY" : "float acc = 0f");
        b.beginControlFlow("for (int ih = h0; ih < h1; ih++)");
        b.beginControlFlow("for (int iw = w0; iw < w1; iw++)");
        b.addStatement(max ? "acc = Math.max(acc, x0[xo + ih * IW + iw])" : "acc += x0[xo + ih * IW + iw]");
        b.endControlFlow().endControlFlow();
        if (max) {
            b.addStatement("y[yo + oh * OW + ow] = acc");
        } else {
            b.addStatement("y[yo + oh * OW + ow] = acc / $L", p.countIncludePad() ? "window" : "((h1 - h0) * (w1 - w0))");
        }
        b.endControlFlow().endControlFlow().endControlFlow();
        Kernels.endParallel(b, k);
        return b.build();
    }
}
