package org.cnnc.compiler.emit.jvm;

import com.palantir.javapoet.CodeBlock;
import org.cnnc.compiler.emit.Constants;
import org.cnnc.compiler.ir.Op;

/** Inference batch normalisation: y = (x − mean) / √(var + eps) · γ + β, per channel. */
final class BatchNormKernel {
    private BatchNormKernel() {}

    static CodeBlock body(KernelContext k, Op.BatchNorm bn) {
        int[] s = Kernels.chw(k.in());
        CodeBlock.Builder b = CodeBlock.builder();
        b.add(new Constants().add("C", s[0]).add("HW", (long) s[1] * s[2]).declaration());
        b.addStatement("final float[] gamma = $L, beta = $L, mean = $L, var = $L",
                k.tensor("weight"), k.tensor("bias"), k.tensor("running_mean"), k.tensor("running_var"));
        Kernels.beginParallel(b, k);
        b.beginControlFlow("for (int nc = from; nc < to; nc++)");
        b.addStatement("int c = nc % C");
        b.addStatement("float scale = (float) (gamma[c] / Math.sqrt(var[c] + $L))", literal(bn.eps()));
        b.addStatement("float shift = beta[c] - mean[c] * scale");
        b.beginControlFlow("for (int i = nc * HW, end = i + HW; i < end; i++)");
        Kernels.store(b, k, "x0[i] * scale + shift", "i", -1);
        b.endControlFlow().endControlFlow();
        Kernels.endParallel(b, k);
        return b.build();
    }

    static String literal(double v) {
        return Double.toString(v);
    }
}
