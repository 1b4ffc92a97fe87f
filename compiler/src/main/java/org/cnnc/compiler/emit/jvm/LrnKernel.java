package org.cnnc.compiler.emit.jvm;

import com.palantir.javapoet.CodeBlock;
import org.cnnc.compiler.emit.Constants;
import org.cnnc.compiler.ir.Op;

/**
 * Local response normalisation across channels, as PyTorch's LocalResponseNorm:
 * y = x / (k + α/n · Σ x²)^β over channels [c − ⌊n/2⌋, c + ⌊(n−1)/2⌋].
 */
final class LrnKernel {
    private LrnKernel() {}

    static CodeBlock body(KernelContext k, Op.Lrn l) {
        int[] s = Kernels.chw(k.in());
        CodeBlock.Builder b = CodeBlock.builder();
        b.add(new Constants().add("C", s[0]).add("HW", (long) s[1] * s[2])
                .add("BEFORE", l.size() / 2).add("AFTER", (l.size() - 1) / 2).declaration());
        Kernels.beginParallel(b, k);
        b.beginControlFlow("for (int nc = from; nc < to; nc++)");
        b.addStatement("int n = nc / C, c = nc % C");
        b.addStatement("int c0 = Math.max(0, c - BEFORE), c1 = Math.min(C - 1, c + AFTER)");
        b.beginControlFlow("for (int i = 0; i < HW; i++)");
        b.addStatement("double sum = 0");
        b.beginControlFlow("for (int j = c0; j <= c1; j++)");
        b.addStatement("float v = x0[(n * C + j) * HW + i]");
        b.addStatement("sum += v * v");
        b.endControlFlow();
        b.addStatement("y[nc * HW + i] = (float) (x0[nc * HW + i] / Math.pow($L + $L * sum, $L))",
                l.k(), l.alpha() / l.size(), l.beta());
        b.endControlFlow().endControlFlow();
        Kernels.endParallel(b, k);
        return b.build();
    }
}
