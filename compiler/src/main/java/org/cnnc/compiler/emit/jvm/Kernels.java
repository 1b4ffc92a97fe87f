package org.cnnc.compiler.emit.jvm;

import com.palantir.javapoet.CodeBlock;
import org.cnnc.compiler.ir.Epilogue;
import org.cnnc.compiler.ir.Op;
import org.cnnc.compiler.ir.Shape;

/** Picks the kernel source for an operator. */
final class Kernels {
    private Kernels() {}

    static CodeBlock body(KernelContext k) {
        return switch (k.node().op()) {
            case Op.Conv c -> throw new IllegalArgumentException("conv runs on a runtime kernel");
            case Op.ConvTranspose t -> ConvTransposeKernel.body(k, t);
            case Op.BatchNorm b -> BatchNormKernel.body(k, b);
            case Op.Activation a -> ActivationKernel.body(k, a);
            case Op.Softmax s -> SoftmaxKernel.body(k);
            case Op.Pool p -> PoolKernel.body(k, p);
            case Op.AdaptiveAvgPool a -> AdaptiveAvgPoolKernel.body(k, a);
            case Op.Fc f -> throw new IllegalArgumentException("fc runs on a runtime kernel");
            case Op.Upsample u -> UpsampleKernel.body(k, u);
            case Op.Lrn l -> LrnKernel.body(k, l);
            case Op.Add a -> AddKernel.body(k);
            case Op.Concat c -> ConcatKernel.body(k);
            case Op.Input i -> copy(k);
            case Op.Flatten f -> copy(k);
            case Op.Dropout d -> copy(k);
        };
    }

    /** The output of a view (flatten, dropout) or of the input itself, when the network's output is one. */
    private static CodeBlock copy(KernelContext k) {
        return CodeBlock.builder()
                .addStatement("System.arraycopy(x0, 0, y, 0, batch * $L)", k.out().elements())
                .build();
    }

    /**
     * Stores {@code value} to {@code y[index]} through the node's epilogue: its activation, the
     * residual (the kernel's input {@code residualInput}) and the activation after it.
     */
    static void store(CodeBlock.Builder b, KernelContext k, String value, String index, int residualInput) {
        Epilogue e = k.epilogue();
        if (e.act() == null && !e.residual() && e.after() == null) {
            b.addStatement("y[$L] = $L", index, value);
            return;
        }
        b.addStatement("float v = $L", value);
        if (e.act() != null) b.addStatement("v = $L", ActivationKernel.expression(e.act()));
        if (e.residual()) b.addStatement("v += x$L[$L]", residualInput, index);
        if (e.after() != null) b.addStatement("v = $L", ActivationKernel.expression(e.after()));
        b.addStatement("y[$L] = v", index);
    }

    /** Opens {@code parallel.forRange(count, (from, to) -> {}; close with {@link #endParallel}. */
    static void beginParallel(CodeBlock.Builder b, String count) {
        b.add("parallel.forRange($L, (from, to) -> {\n$>", count);
    }

    static void endParallel(CodeBlock.Builder b) {
        b.add("$<});\n");
    }

    /** Channels, height, width of a shape; a vector is N×1×1. */
    static int[] chw(Shape s) {
        return switch (s) {
            case Shape.Map m -> new int[] {m.c(), m.h(), m.w()};
            case Shape.Vec v -> new int[] {v.n(), 1, 1};
        };
    }
}
