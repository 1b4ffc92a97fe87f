package org.cnnc.compiler.emit.jvm;

import com.palantir.javapoet.CodeBlock;
import org.cnnc.compiler.ir.Op;

/** Fully connected: y[n, o] = b[o] + Σ_i W[o, i]·x[n, i], the input flattened in C, H, W order. */
final class FcKernel {
    private FcKernel() {}

    static CodeBlock body(KernelContext k, Op.Fc f) {
        CodeBlock.Builder b = CodeBlock.builder();
        b.add(new Constants().add("IN", k.in().elements()).add("OUT", f.outFeatures()).declaration());
        b.addStatement("final float[] w = $L", k.tensor("weight"));
        boolean bias = k.hasBias(f.bias());
        if (bias) b.addStatement("final float[] bias = $L", k.tensor("bias"));
        Kernels.beginParallel(b, "batch * OUT");
        b.beginControlFlow("for (int no = from; no < to; no++)");
        b.addStatement("int xo = (no / OUT) * IN, wo = (no % OUT) * IN");
        b.addStatement("float acc = $L", bias ? "bias[no % OUT]" : "0f");
        b.addStatement("for (int i = 0; i < IN; i++) acc += w[wo + i] * x0[xo + i]");
        Kernels.store(b, k, "acc", "no", 1);
        b.endControlFlow();
        Kernels.endParallel(b);
        return b.build();
    }
}
