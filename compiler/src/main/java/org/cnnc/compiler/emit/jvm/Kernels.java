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

    /**
     * Opens {@code parallel.forRange(batch × loopRange, (from, to) -> {}; close with
     * {@link #endParallel}. As a task ({@link KernelContext#task()}) the loop is the whole body,
     * and this writes nothing.
     */
    static void beginParallel(CodeBlock.Builder b, KernelContext k) {
        if (!k.task()) b.add("parallel.forRange(batch * $L, (from, to) -> {\n$>", loopRange(k));
    }

    static void endParallel(CodeBlock.Builder b, KernelContext k) {
        if (!k.task()) b.add("$<});\n");
    }

    /** Most inputs a kernel run as a {@code Parallel.Task} takes (the task has four array slots, one for the output). */
    static final int TASK_INPUTS = 3;

    /**
     * Whether the kernel runs as a {@code Parallel.Task} made once, which allocates nothing per
     * call, rather than as a lambda over its arrays, made anew on every call: every kernel with
     * a parallel loop and at most {@link #TASK_INPUTS} inputs.
     */
    static boolean runsAsTask(KernelContext k) {
        boolean loops = switch (k.node().op()) {
            case Op.Concat c -> false;
            case Op.Input i -> false;
            case Op.Flatten f -> false;
            case Op.Dropout d -> false;
            case Op.Conv c -> false;
            case Op.Fc f -> false;
            default -> true;
        };
        return loops && k.inputs().size() <= TASK_INPUTS;
    }

    /**
     * What a kernel's parallel loop runs over, per sample: its {@code [from, to)} range covers
     * batch × this many units (channels; output channels of a transposed conv; pixels of a softmax).
     */
    static int loopRange(KernelContext k) {
        return switch (k.node().op()) {
            case Op.ConvTranspose t -> chw(k.out())[0];
            case Op.Softmax s -> chw(k.in())[1] * chw(k.in())[2];
            default -> chw(k.in())[0];
        };
    }

    /** A rough count of the operations of one sample, to decide whether the loop is worth splitting across threads. */
    static long work(KernelContext k) {
        long elements = k.out().elements();
        for (Shape s : k.inputs()) elements += s.elements();
        return switch (k.node().op()) {
            case Op.ConvTranspose t -> elements + k.out().elements() * chw(k.in())[0] * t.kh() * t.kw();
            case Op.Pool p -> elements + k.out().elements() * p.kh() * p.kw();
            case Op.Lrn l -> elements * l.size();
            default -> elements;
        };
    }

    /** Channels, height, width of a shape; a vector is N×1×1. */
    static int[] chw(Shape s) {
        return switch (s) {
            case Shape.Map m -> new int[] {m.c(), m.h(), m.w()};
            case Shape.Vec v -> new int[] {v.n(), 1, 1};
        };
    }
}
