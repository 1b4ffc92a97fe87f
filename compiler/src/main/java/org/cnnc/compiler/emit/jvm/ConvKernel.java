package org.cnnc.compiler.emit.jvm;

import com.palantir.javapoet.CodeBlock;
import org.cnnc.compiler.ir.Op;

/** Direct convolution, NCHW, one output channel of one sample per task. */
final class ConvKernel {
    private ConvKernel() {}

    static CodeBlock body(KernelContext k, Op.Conv c) {
        int[] in = Kernels.chw(k.in()), out = Kernels.chw(k.out());
        int icg = in[0] / c.groups(), ocg = c.outChannels() / c.groups();
        CodeBlock.Builder b = CodeBlock.builder();
        b.add(new Constants().add("IC", in[0]).add("IH", in[1]).add("IW", in[2])
                .add("OC", out[0]).add("OH", out[1]).add("OW", out[2])
                .add("ICG", icg).add("OCG", ocg).add("KH", c.kh()).add("KW", c.kw())
                .add("SH", c.sh()).add("SW", c.sw()).add("PH", c.ph()).add("PW", c.pw())
                .add("DH", c.dh()).add("DW", c.dw()).declaration());
        b.addStatement("final float[] w = $L", k.tensor("weight"));
        boolean bias = k.hasBias(c.bias());
        if (bias) b.addStatement("final float[] bias = $L", k.tensor("bias"));
        Kernels.beginParallel(b, "batch * OC");
        b.beginControlFlow("for (int nc = from; nc < to; nc++)");
        b.addStatement("int n = nc / OC, oc = nc % OC");
        b.addStatement("int xg = n * (IC * IH * IW) + (oc / OCG) * (ICG * IH * IW)");
        b.addStatement("int wo = oc * (ICG * KH * KW)");
        b.addStatement("int yo = nc * (OH * OW)");
        b.beginControlFlow("for (int oh = 0; oh < OH; oh++)");
        b.beginControlFlow("for (int ow = 0; ow < OW; ow++)");
        b.addStatement("float acc = $L", bias ? "bias[oc]" : "0f");
        b.beginControlFlow("for (int ic = 0; ic < ICG; ic++)");
        b.beginControlFlow("for (int kh = 0; kh < KH; kh++)");
        b.addStatement("int ih = oh * SH - PH + kh * DH");
        b.addStatement("if (ih < 0 || ih >= IH) continue");
        b.beginControlFlow("for (int kw = 0; kw < KW; kw++)");
        b.addStatement("int iw = ow * SW - PW + kw * DW");
        b.addStatement("if (iw < 0 || iw >= IW) continue");
        b.addStatement("acc += x0[xg + (ic * IH + ih) * IW + iw] * w[wo + (ic * KH + kh) * KW + kw]");
        b.endControlFlow().endControlFlow().endControlFlow();
        Kernels.store(b, k, "acc", "yo + oh * OW + ow", 1);
        b.endControlFlow().endControlFlow().endControlFlow();
        Kernels.endParallel(b);
        return b.build();
    }
}
