package org.cnnc.compiler.emit.jvm;

import com.palantir.javapoet.CodeBlock;
import org.cnnc.compiler.emit.Constants;
import org.cnnc.compiler.ir.Op;

/** Element-wise activations, split over samples and channels. */
final class ActivationKernel {
    private ActivationKernel() {}

    static CodeBlock body(KernelContext k, Op.Activation a) {
        int[] s = Kernels.chw(k.in());
        CodeBlock.Builder b = CodeBlock.builder();
        b.add(new Constants().add("C", s[0]).add("HW", (long) s[1] * s[2]).declaration());
        Kernels.beginParallel(b, k);
        b.beginControlFlow("for (int i = from * HW, end = to * HW; i < end; i++)");
        b.addStatement("float v = x0[i]");
        b.addStatement("y[i] = $L", expression(a));
        b.endControlFlow();
        Kernels.endParallel(b, k);
        return b.build();
    }

    static String expression(Op.Activation a) {
        return switch (a.function()) {
            case RELU -> "v > 0f ? v : 0f";
            case RELU6 -> "v > 0f ? (v < 6f ? v : 6f) : 0f";
            case LEAKY_RELU -> "v > 0f ? v : " + (float) a.alpha() + "f * v";
            case SIGMOID -> "(float) (1.0 / (1.0 + Math.exp(-v)))";
            case TANH -> "(float) Math.tanh(v)";
        };
    }
}
