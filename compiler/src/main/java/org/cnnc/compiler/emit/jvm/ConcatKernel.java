package org.cnnc.compiler.emit.jvm;

import com.palantir.javapoet.CodeBlock;

/** Joins the inputs along channels: each sample's blocks copied one after another. */
final class ConcatKernel {
    private ConcatKernel() {}

    static CodeBlock body(KernelContext k) {
        long outSample = k.out().elements();
        CodeBlock.Builder b = CodeBlock.builder();
        b.beginControlFlow("for (int n = 0; n < batch; n++)");
        long offset = 0;
        for (int i = 0; i < k.inputs().size(); i++) {
            long size = k.inputs().get(i).elements();
            b.addStatement("System.arraycopy(x$L, n * $L, y, n * $L + $L, $L)", i, size, outSample, offset, size);
            offset += size;
        }
        b.endControlFlow();
        return b.build();
    }
}
