package org.cnnc.compiler.emit.jvm;

import com.palantir.javapoet.CodeBlock;
import org.cnnc.compiler.emit.Constants;

/** Element-wise sum of equally shaped inputs. */
final class AddKernel {
    private AddKernel() {}

    static CodeBlock body(KernelContext k) {
        int[] s = Kernels.chw(k.out());
        StringBuilder sum = new StringBuilder("x0[i]");
        for (int i = 1; i < k.inputs().size(); i++) sum.append(" + x").append(i).append("[i]");
        CodeBlock.Builder b = CodeBlock.builder();
        b.add(new Constants().add("C", s[0]).add("HW", (long) s[1] * s[2]).declaration());
        Kernels.beginParallel(b, k);
        b.beginControlFlow("for (int i = from * HW, end = to * HW; i < end; i++)");
        Kernels.store(b, k, sum.toString(), "i", -1);
        b.endControlFlow();
        Kernels.endParallel(b, k);
        return b.build();
    }
}
