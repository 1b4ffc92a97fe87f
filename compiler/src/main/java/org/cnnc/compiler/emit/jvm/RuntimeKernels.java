package org.cnnc.compiler.emit.jvm;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import org.cnnc.compiler.ir.Epilogue;
import org.cnnc.compiler.ir.Node;
import org.cnnc.compiler.ir.Op;

/**
 * Convolutions, fully connected layers and pools run on the runtime's kernels
 * (org.cnnc.runtime.kernels: packed weights, register-tiled Vector API loops, plain loops where
 * the Vector API is absent), made once when the model loads with every dimension fixed, and the
 * epilogue of a conv or fc fused. A pool in ceil mode, or an average whose divisor changes at
 * the border (padding without count_include_pad), keeps its emitted loops.
 */
final class RuntimeKernels {
    static final ClassName CONV2D = ClassName.get("org.cnnc.runtime.kernels", "Conv2d");
    static final ClassName CONV_PAIR = ClassName.get("org.cnnc.runtime.kernels", "ConvPair");
    static final ClassName LINEAR = ClassName.get("org.cnnc.runtime.kernels", "Linear");
    static final ClassName POOL2D = ClassName.get("org.cnnc.runtime.kernels", "Pool2d");
    static final ClassName EPILOGUE = ClassName.get("org.cnnc.runtime.kernels", "Epilogue");
    static final ClassName ACTIVATION = ClassName.get("org.cnnc.runtime.kernels", "Activation");

    private RuntimeKernels() {}

    /** Whether this node runs on a runtime kernel object rather than emitted loops. */
    static boolean handles(Node n) {
        return switch (n.op()) {
            case Op.Conv c -> true;
            case Op.Fc f -> true;
            case Op.Pool p -> !p.ceil() && (p.pool() == Op.PoolKind.MAX || p.countIncludePad() || p.ph() == 0 && p.pw() == 0)
                    && n.epilogue().act() == null && !n.epilogue().residual() && n.epilogue().after() == null;
            default -> false;
        };
    }

    static ClassName type(Node n) {
        return switch (n.op()) {
            case Op.Conv c -> CONV2D;
            case Op.Pool p -> POOL2D;
            default -> LINEAR;
        };
    }

    /** {@code field = Conv2d.create(...)} or {@code Linear.create(...)}, with the node's epilogue. */
    static CodeBlock create(String field, KernelContext k) {
        Node n = k.node();
        if (n.op() instanceof Op.Pool p) {
            int[] in = Kernels.chw(k.in());
            return CodeBlock.of("$L = $T.create($L, $L, $L, $L, $L, $L, $L, $L, $L, $L)", field, POOL2D,
                    in[0], in[1], in[2], p.kh(), p.kw(), p.sh(), p.sw(), p.ph(), p.pw(), p.pool() == Op.PoolKind.MAX);
        }
        boolean ownBias = switch (n.op()) {
            case Op.Conv c -> c.bias();
            case Op.Fc f -> f.bias();
            default -> throw new IllegalArgumentException(n.op().kind());
        };
        CodeBlock epilogue = epilogue(n.epilogue(), k.hasBias(ownBias) ? k.tensor("bias") : "null");
        if (k.partner() != null) {
            Op.Conv c = (Op.Conv) n.op(), d = (Op.Conv) k.partner().op();
            int[] in = Kernels.chw(k.in());
            return CodeBlock.of("$L = $T.create($L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L)", field, CONV_PAIR,
                    in[0], in[1], in[2], c.outChannels(), d.outChannels(), c.kh(), c.kw(), c.sh(), c.sw(), c.ph(), c.pw(),
                    c.dh(), c.dw(), k.tensor("weight"), epilogue, k.partnerTensor("weight"),
                    epilogue(k.partner().epilogue(), k.partnerHasBias(d.bias()) ? k.partnerTensor("bias") : "null"));
        }
        return switch (n.op()) {
            case Op.Conv c -> {
                int[] in = Kernels.chw(k.in());
                yield CodeBlock.of("$L = $T.create($L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L)", field, CONV2D,
                        in[0], in[1], in[2], c.outChannels(), c.kh(), c.kw(), c.sh(), c.sw(), c.ph(), c.pw(),
                        c.dh(), c.dw(), c.groups(), k.tensor("weight"), epilogue);
            }
            case Op.Fc f -> CodeBlock.of("$L = $T.create($L, $L, $L, $L)", field, LINEAR,
                    k.in().elements(), f.outFeatures(), k.tensor("weight"), epilogue);
            default -> throw new IllegalArgumentException(n.op().kind());
        };
    }

    private static CodeBlock epilogue(Epilogue e, String bias) {
        return CodeBlock.of("new $T($L, $L, $Lf, $L, $L, $Lf)", EPILOGUE, bias,
                activation(e.act()), alpha(e.act()), e.residual(), activation(e.after()), alpha(e.after()));
    }

    private static CodeBlock activation(Op.Activation a) {
        String name = a == null ? "NONE" : a.function().name();
        return CodeBlock.of("$T.$L", ACTIVATION, name);
    }

    private static float alpha(Op.Activation a) {
        return a == null ? 0f : (float) a.alpha();
    }

    /** The body of the kernel method: one call of the kernel object. */
    static CodeBlock call(String field, KernelContext k) {
        if (k.node().op() instanceof Op.Pool) {
            return CodeBlock.builder().addStatement("$L.run(x0, y, batch, scratch, parallel)", field).build();
        }
        if (k.partner() != null) return CodeBlock.builder().addStatement("$L.run(x0, y, y2, batch, scratch, parallel)", field).build();
        String residual = k.epilogue().residual() ? "x" + (k.inputs().size() - 1) : "null";
        return CodeBlock.builder().addStatement("$L.run(x0, y, $L, batch, scratch, parallel)", field, residual).build();
    }

}
