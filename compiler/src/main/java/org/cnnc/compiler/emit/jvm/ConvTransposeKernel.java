package org.cnnc.compiler.emit.jvm;

import com.palantir.javapoet.CodeBlock;
import org.cnnc.compiler.emit.Constants;
import org.cnnc.compiler.ir.Op;

/**
 * Transposed convolution as a gather: output pixel oh receives input ih where
 * oh = ih·S − P + kh·D. Weights are PyTorch's {@code [IC, OC/groups, KH, KW]}.
 */
final class ConvTransposeKernel {
    private ConvTransposeKernel() {}

    static CodeBlock body(KernelContext k, Op.ConvTranspose t) {
        int[] in = Kernels.chw(k.in()), out = Kernels.chw(k.out());
        CodeBlock.Builder b = CodeBlock.builder();
        b.add(new Constants().add("IC", in[0]).add("IH", in[1]).add("IW", in[2])
                .add("OC", out[0]).add("OH", out[1]).add("OW", out[2])
                .add("ICG", in[0] / t.groups()).add("OCG", t.outChannels() / t.groups())
                .add("KH", t.kh()).add("KW", t.kw()).add("SH", t.sh()).add("SW", t.sw())
                .add("PH", t.ph()).add("PW", t.pw()).add("DH", t.dh()).add("DW", t.dw()).declaration());
        b.addStatement("final float[] w = $L", k.tensor("weight"));
        if (t.bias()) b.addStatement("final float[] bias = $L", k.tensor("bias"));
        Kernels.beginParallel(b, k);
        b.beginControlFlow("for (int nc = from; nc < to; nc++)");
        b.addStatement("int n = nc / OC, oc = nc % OC, g = oc / OCG, ocg = oc % OCG");
        b.beginControlFlow("for (int oh = 0; oh < OH; oh++)");
        b.beginControlFlow("for (int ow = 0; ow < OW; ow++)");
        b.addStatement("float acc = $L", t.bias() ? "bias[oc]" : "0f");
        b.beginControlFlow("for (int kh = 0; kh < KH; kh++)");
        b.addStatement("int th = oh + PH - kh * DH");
        b.addStatement("if (th < 0 || th % SH != 0 || th / SH >= IH) continue");
        b.addStatement("int ih = th / SH");
        b.beginControlFlow("for (int kw = 0; kw < KW; kw++)");
        b.addStatement("int tw = ow + PW - kw * DW");
        b.addStatement("if (tw < 0 || tw % SW != 0 || tw / SW >= IW) continue");
        b.addStatement("int iw = tw / SW");
        b.beginControlFlow("for (int i = 0; i < ICG; i++)");
        b.addStatement("int ic = g * ICG + i");
        b.addStatement("acc += x0[((n * IC + ic) * IH + ih) * IW + iw] * w[((ic * OCG + ocg) * KH + kh) * KW + kw]");
        b.endControlFlow().endControlFlow().endControlFlow();
        b.addStatement("y[(nc * OH + oh) * OW + ow] = acc");
        b.endControlFlow().endControlFlow().endControlFlow();
        Kernels.endParallel(b, k);
        return b.build();
    }
}
