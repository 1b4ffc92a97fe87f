package org.cnnc.compiler.emit.tornado;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.cnnc.compiler.ir.Node;
import org.cnnc.compiler.ir.Op;
import org.cnnc.compiler.lower.KernelPlan;
import org.cnnc.compiler.lower.KernelPlan.Kernel;

/**
 * Weights the model computes once when it loads, as the jvm target does: a BatchNorm folded
 * into its conv or fc ({@code Fold.batchNorm}), two fc layers merged ({@code Fold.linear}), and
 * for a BatchNorm with its own kernel the per-channel scale and shift, so that no kernel takes
 * a square root.
 *
 * @param byKernel per kernel index: role ("w", "bias", "scale", "shift") → field
 * @param fields   the fields to declare: name → what it holds
 * @param steps    the statements that fill them, after the tensors are loaded
 */
record Prepared(Map<Integer, Map<String, String>> byKernel, Map<String, String> fields, List<CodeBlock> steps,
                boolean needsScaleShift) {
    static final ClassName FOLD = org.cnnc.compiler.emit.ModelApi.FOLD;

    Map<String, String> of(int kernel) {
        return byKernel.getOrDefault(kernel, Map.of());
    }

    static Prepared of(KernelPlan plan, Map<String, String> tensorFields) {
        Map<Integer, Map<String, String>> byKernel = new TreeMap<>();
        Map<String, String> fields = new java.util.LinkedHashMap<>();
        List<CodeBlock> steps = new ArrayList<>();
        boolean scaleShift = false;
        for (Kernel k : plan.kernels()) {
            Node n = k.node();
            String prefix = "k" + k.index() + "_";
            if (n.op() instanceof Op.BatchNorm bn) {
                String scale = prefix + "scale", shift = prefix + "shift";
                fields.put(scale, n.name() + ": γ/√(σ² + ε)");
                fields.put(shift, n.name() + ": β − μ·scale");
                steps.add(CodeBlock.builder()
                        .addStatement("f = scaleShift($L, $L, $L, $L, $L)", tensorFields.get(n.name() + ".weight"),
                                tensorFields.get(n.name() + ".bias"), tensorFields.get(n.name() + ".running_mean"),
                                tensorFields.get(n.name() + ".running_var"), bn.eps())
                        .addStatement("$L = f[0]", scale)
                        .addStatement("$L = f[1]", shift)
                        .build());
                byKernel.put(k.index(), Map.of("scale", scale, "shift", shift));
                scaleShift = true;
                continue;
            }
            String bn = n.epilogue().batchNorm(), before = n.epilogue().linearBefore();
            if (bn == null && before == null) continue;
            String w = prefix + "weight", b = prefix + "bias";
            String what = n.name() + " with " + (bn != null ? bn : before) + " folded in";
            fields.put(w, what);
            fields.put(b, what);
            CodeBlock.Builder step = CodeBlock.builder();
            if (before != null) {
                Op.Fc first = (Op.Fc) TornadoEmitter.written(plan, before).op();
                Op.Fc second = (Op.Fc) n.op();
                long in = plan.graph().node(n.inputs().get(0)).shape().elements();
                step.addStatement("f = $T.linear($L, $L, $L, $L, $L, $L, $L)", FOLD,
                        tensorFields.get(before + ".weight"), first.bias() ? tensorFields.get(before + ".bias") : "null",
                        tensorFields.get(n.name() + ".weight"), second.bias() ? tensorFields.get(n.name() + ".bias") : "null",
                        in, first.outFeatures(), second.outFeatures());
            } else {
                if (!(n.op() instanceof Op.Conv || n.op() instanceof Op.Fc)) {
                    throw new IllegalStateException("BatchNorm folded into " + n.op().kind());
                }
                step.addStatement("f = $T.batchNorm($L, $L, $L, $L, $L, $L, $L, $L)", FOLD,
                        tensorFields.get(n.name() + ".weight"),
                        TornadoEmitter.ownBias(n.op()) ? tensorFields.get(n.name() + ".bias") : "null",
                        tensorFields.get(bn + ".weight"), tensorFields.get(bn + ".bias"), tensorFields.get(bn + ".running_mean"),
                        tensorFields.get(bn + ".running_var"), n.epilogue().eps(), n.shape().channels());
            }
            steps.add(step.addStatement("$L = f[0]", w).addStatement("$L = f[1]", b).build());
            byKernel.put(k.index(), Map.of("w", w, "bias", b));
        }
        return new Prepared(byKernel, fields, steps, scaleShift);
    }
}
