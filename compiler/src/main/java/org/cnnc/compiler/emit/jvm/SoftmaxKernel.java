package org.cnnc.compiler.emit.jvm;

import com.palantir.javapoet.CodeBlock;
import org.cnnc.compiler.emit.Constants;

/** Softmax over channels (over the features of a vector) at each position, max-shifted, summed in double. */
final class SoftmaxKernel {
    private SoftmaxKernel() {}

    static CodeBlock body(KernelContext k) {
        int[] s = Kernels.chw(k.in());
        CodeBlock.Builder b = CodeBlock.builder();
        b.add(new Constants().add("C", s[0]).add("HW", (long) s[1] * s[2]).declaration());
        Kernels.beginParallel(b, k);
        b.beginControlFlow("for (int t = from; t < to; t++)");
        b.addStatement("int base = (t / HW) * C * HW + t % HW");
        b.addStatement("float max = Float.NEGATIVE_INFINITY");
        b.addStatement("for (int c = 0; c < C; c++) max = Math.max(max, x0[base + c * HW])");
        b.addStatement("double sum = 0");
        b.beginControlFlow("for (int c = 0; c < C; c++)");
        b.addStatement("float e = (float) Math.exp(x0[base + c * HW] - max)");
        b.addStatement("y[base + c * HW] = e");
        b.addStatement("sum += e");
        b.endControlFlow();
        b.addStatement("float inv = (float) (1.0 / sum)");
        b.addStatement("for (int c = 0; c < C; c++) y[base + c * HW] *= inv");
        b.endControlFlow();
        Kernels.endParallel(b, k);
        return b.build();
    }
}
