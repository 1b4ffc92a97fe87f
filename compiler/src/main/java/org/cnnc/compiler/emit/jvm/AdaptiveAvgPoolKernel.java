package org.cnnc.compiler.emit.jvm;

import com.palantir.javapoet.CodeBlock;
import org.cnnc.compiler.emit.Constants;
import org.cnnc.compiler.ir.Op;

/** PyTorch's adaptive average pooling: window i spans [⌊i·in/out⌋, ⌈(i+1)·in/out⌉). */
final class AdaptiveAvgPoolKernel {
    private AdaptiveAvgPoolKernel() {}

    static CodeBlock body(KernelContext k, Op.AdaptiveAvgPool a) {
        int[] in = Kernels.chw(k.in());
        CodeBlock.Builder b = CodeBlock.builder();
        b.add(new Constants().add("C", in[0]).add("IH", in[1]).add("IW", in[2])
                .add("OH", a.outH()).add("OW", a.outW()).declaration());
        Kernels.beginParallel(b, k);
        b.beginControlFlow("for (int nc = from; nc < to; nc++)");
        b.addStatement("int xo = nc * (IH * IW), yo = nc * (OH * OW)");
        b.beginControlFlow("for (int oh = 0; oh < OH; oh++)");
        b.addStatement("int h0 = oh * IH / OH, h1 = ((oh + 1) * IH + OH - 1) / OH");
        b.beginControlFlow("for (int ow = 0; ow < OW; ow++)");
        b.addStatement("int w0 = ow * IW / OW, w1 = ((ow + 1) * IW + OW - 1) / OW");
        b.addStatement("float acc = 0f");
        b.beginControlFlow("for (int ih = h0; ih < h1; ih++)");
        b.addStatement("for (int iw = w0; iw < w1; iw++) acc += x0[xo + ih * IW + iw]");
        b.endControlFlow();
        b.addStatement("y[yo + oh * OW + ow] = acc / ((h1 - h0) * (w1 - w0))");
        b.endControlFlow().endControlFlow().endControlFlow();
        Kernels.endParallel(b, k);
        return b.build();
    }
}
