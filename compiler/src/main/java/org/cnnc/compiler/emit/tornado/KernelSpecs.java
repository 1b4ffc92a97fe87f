package org.cnnc.compiler.emit.tornado;

import com.palantir.javapoet.CodeBlock;
import java.util.List;
import org.cnnc.compiler.emit.Constants;
import org.cnnc.compiler.ir.Epilogue;
import org.cnnc.compiler.ir.Node;
import org.cnnc.compiler.ir.Op;
import org.cnnc.compiler.ir.Shape;

/**
 * The kernel of each operator as a loop nest TornadoVM compiles: every output element is
 * computed by one iteration of the innermost parallel loop, reading its inputs directly (no
 * scratch memory, no allocation, no call but {@code TornadoMath}'s). NCHW layout throughout;
 * sums run in the same order as the jvm target's kernels.
 */
final class KernelSpecs {
    private KernelSpecs() {}

    /** A kernel's node, the shapes of its inputs, and whether a bias was prepared for it at load. */
    record Context(Node node, List<Shape> inputs, boolean preparedBias) {
        Shape in() {
            return inputs.get(0);
        }

        Shape out() {
            return node.shape();
        }

        Epilogue epilogue() {
            return node.epilogue();
        }

        boolean hasBias(boolean own) {
            return own || preparedBias;
        }
    }

    static KernelSpec of(Context k) {
        return switch (k.node().op()) {
            case Op.Conv c -> conv(k, c);
            case Op.ConvTranspose t -> convTranspose(k, t);
            case Op.BatchNorm b -> batchNorm(k);
            case Op.Activation a -> activation(k, a);
            case Op.Softmax s -> softmax(k);
            case Op.Pool p -> pool(k, p);
            case Op.AdaptiveAvgPool a -> adaptiveAvgPool(k, a);
            case Op.Fc f -> fc(k, f);
            case Op.Upsample u -> upsample(k, u);
            case Op.Lrn l -> lrn(k, l);
            case Op.Add a -> add(k);
            case Op.Concat c -> concat(k);
            case Op.Input i -> copy(k);
            case Op.Flatten f -> copy(k);
            case Op.Dropout d -> copy(k);
        };
    }

    private static KernelSpec conv(Context k, Op.Conv c) {
        int[] in = chw(k.in()), out = chw(k.out());
        boolean bias = k.hasBias(c.bias());
        String constants = new Constants().add("IC", in[0]).add("IH", in[1]).add("IW", in[2])
                .add("OC", out[0]).add("OH", out[1]).add("OW", out[2])
                .add("ICG", in[0] / c.groups()).add("OCG", c.outChannels() / c.groups())
                .add("KH", c.kh()).add("KW", c.kw()).add("SH", c.sh()).add("SW", c.sw())
                .add("PH", c.ph()).add("PW", c.pw()).add("DH", c.dh()).add("DW", c.dw()).declaration();
        return new KernelSpec("nc", out[0], constants, List.of(loop("oh", "OH"), loop("ow", "OW")), weights(bias), d -> {
            CodeBlock.Builder b = CodeBlock.builder();
            b.addStatement("int n = nc / OC");
            b.addStatement("int oc = nc - n * OC");
            b.addStatement("int xg = n * (IC * IH * IW) + (oc / OCG) * (ICG * IH * IW)");
            b.addStatement("int wo = oc * (ICG * KH * KW)");
            b.addStatement("float acc = $L", bias ? "bias[oc]" : "0f");
            b.beginControlFlow("for (int ic = 0; ic < ICG; ic++)");
            b.beginControlFlow("for (int kh = 0; kh < KH; kh++)");
            b.addStatement("int ih = oh * SH - PH + kh * DH");
            b.beginControlFlow("if (ih >= 0 && ih < IH)");
            b.beginControlFlow("for (int kw = 0; kw < KW; kw++)");
            b.addStatement("int iw = ow * SW - PW + kw * DW");
            b.beginControlFlow("if (iw >= 0 && iw < IW)");
            b.addStatement("acc += x0[xg + (ic * IH + ih) * IW + iw] * w[wo + (ic * KH + kh) * KW + kw]");
            b.endControlFlow().endControlFlow().endControlFlow().endControlFlow().endControlFlow();
            store(b, k, d, "acc", "(nc * OH + oh) * OW + ow");
            return b.build();
        });
    }

    /** A gather: output pixel oh receives input ih where oh = ih·S − P + kh·D; weights [IC, OC/g, KH, KW]. */
    private static KernelSpec convTranspose(Context k, Op.ConvTranspose t) {
        int[] in = chw(k.in()), out = chw(k.out());
        boolean bias = k.hasBias(t.bias());
        String constants = new Constants().add("IC", in[0]).add("IH", in[1]).add("IW", in[2])
                .add("OC", out[0]).add("OH", out[1]).add("OW", out[2])
                .add("ICG", in[0] / t.groups()).add("OCG", t.outChannels() / t.groups())
                .add("KH", t.kh()).add("KW", t.kw()).add("SH", t.sh()).add("SW", t.sw())
                .add("PH", t.ph()).add("PW", t.pw()).add("DH", t.dh()).add("DW", t.dw()).declaration();
        return new KernelSpec("nc", out[0], constants, List.of(loop("oh", "OH"), loop("ow", "OW")), weights(bias), d -> {
            CodeBlock.Builder b = CodeBlock.builder();
            b.addStatement("int n = nc / OC");
            b.addStatement("int oc = nc - n * OC");
            b.addStatement("int g = oc / OCG");
            b.addStatement("int ocg = oc - g * OCG");
            b.addStatement("float acc = $L", bias ? "bias[oc]" : "0f");
            b.beginControlFlow("for (int kh = 0; kh < KH; kh++)");
            b.addStatement("int th = oh + PH - kh * DH");
            b.beginControlFlow("if (th >= 0 && th % SH == 0 && th / SH < IH)");
            b.addStatement("int ih = th / SH");
            b.beginControlFlow("for (int kw = 0; kw < KW; kw++)");
            b.addStatement("int tw = ow + PW - kw * DW");
            b.beginControlFlow("if (tw >= 0 && tw % SW == 0 && tw / SW < IW)");
            b.addStatement("int iw = tw / SW");
            b.beginControlFlow("for (int i = 0; i < ICG; i++)");
            b.addStatement("int ic = g * ICG + i");
            b.addStatement("acc += x0[((n * IC + ic) * IH + ih) * IW + iw] * w[((ic * OCG + ocg) * KH + kh) * KW + kw]");
            b.endControlFlow().endControlFlow().endControlFlow().endControlFlow().endControlFlow();
            store(b, k, d, "acc", "(nc * OH + oh) * OW + ow");
            return b.build();
        });
    }

    /** Inference BatchNorm with scale = γ/√(σ² + ε) and shift = β − μ·scale computed when the model loads. */
    private static KernelSpec batchNorm(Context k) {
        int[] s = chw(k.in());
        String constants = new Constants().add("C", s[0]).add("HW", (long) s[1] * s[2]).declaration();
        return new KernelSpec("nc", s[0], constants, List.<String[]>of(loop("i", "HW")), List.of("scale", "shift"), d -> {
            CodeBlock.Builder b = CodeBlock.builder();
            b.addStatement("int c = nc % C");
            store(b, k, d, "x0[nc * HW + i] * scale[c] + shift[c]", "nc * HW + i");
            return b.build();
        });
    }

    private static KernelSpec activation(Context k, Op.Activation a) {
        int[] s = chw(k.in());
        String constants = new Constants().add("C", s[0]).add("HW", (long) s[1] * s[2]).declaration();
        return new KernelSpec("nc", s[0], constants, List.<String[]>of(loop("i", "HW")), List.of(), d -> {
            CodeBlock.Builder b = CodeBlock.builder();
            b.addStatement("float u = x0[nc * HW + i]");
            store(b, k, d, activation(d, a, "u"), "nc * HW + i");
            return b.build();
        });
    }

    /** Softmax over channels at each position, max-shifted; one position per iteration. */
    private static KernelSpec softmax(Context k) {
        if (!k.epilogue().isEmpty()) throw new IllegalStateException("softmax with an epilogue: " + k.epilogue());
        int[] s = chw(k.in());
        String constants = new Constants().add("C", s[0]).add("HW", (long) s[1] * s[2]).declaration();
        return new KernelSpec("t", (long) s[1] * s[2], constants, List.of(), List.of(), d -> {
            CodeBlock.Builder b = CodeBlock.builder();
            b.addStatement("int n = t / HW");
            b.addStatement("int base = n * (C * HW) + (t - n * HW)");
            b.addStatement("float max = x0[base]");
            b.addStatement("for (int c = 1; c < C; c++) max = $L", d.max("max", "x0[base + c * HW]"));
            b.addStatement("float sum = 0f");
            b.beginControlFlow("for (int c = 0; c < C; c++)");
            b.addStatement("float e = $L", d.exp("x0[base + c * HW] - max"));
            b.addStatement("y[base + c * HW] = e");
            b.addStatement("sum += e");
            b.endControlFlow();
            b.addStatement("float inv = 1f / sum");
            b.addStatement("for (int c = 0; c < C; c++) y[base + c * HW] = y[base + c * HW] * inv");
            return b.build();
        });
    }

    /** Max (padding ignored) and average pooling (divided by the window clipped to the padded input, or by its real cells). */
    private static KernelSpec pool(Context k, Op.Pool p) {
        int[] in = chw(k.in()), out = chw(k.out());
        boolean max = p.pool() == Op.PoolKind.MAX;
        String constants = new Constants().add("C", in[0]).add("IH", in[1]).add("IW", in[2]).add("OH", out[1]).add("OW", out[2])
                .add("KH", p.kh()).add("KW", p.kw()).add("SH", p.sh()).add("SW", p.sw())
                .add("PH", p.ph()).add("PW", p.pw()).declaration();
        return new KernelSpec("nc", in[0], constants, List.of(loop("oh", "OH"), loop("ow", "OW")), List.of(), d -> {
            CodeBlock.Builder b = CodeBlock.builder();
            b.addStatement("int xo = nc * (IH * IW)");
            b.addStatement("int hs = oh * SH - PH");
            b.addStatement("int ws = ow * SW - PW");
            b.addStatement("int he = $L", d.min("hs + KH", "IH + PH"));
            b.addStatement("int we = $L", d.min("ws + KW", "IW + PW"));
            if (!max) b.addStatement("int window = (he - hs) * (we - ws)");
            b.addStatement("int h0 = $L", d.max("hs", "0"));
            b.addStatement("int w0 = $L", d.max("ws", "0"));
            b.addStatement("int h1 = $L", d.min("he", "IH"));
            b.addStatement("int w1 = $L", d.min("we", "IW"));
            b.addStatement(max ? "float acc = Float.NEGATIVE_INFINITY" : "float acc = 0f");
            b.beginControlFlow("for (int ih = h0; ih < h1; ih++)");
            b.beginControlFlow("for (int iw = w0; iw < w1; iw++)");
            if (max) b.addStatement("acc = $L", d.max("acc", "x0[xo + ih * IW + iw]"));
            else b.addStatement("acc += x0[xo + ih * IW + iw]");
            b.endControlFlow().endControlFlow();
            String value = max ? "acc" : p.countIncludePad() ? "acc / window" : "acc / ((h1 - h0) * (w1 - w0))";
            store(b, k, d, value, "(nc * OH + oh) * OW + ow");
            return b.build();
        });
    }

    /** PyTorch's adaptive average pooling: window i spans [⌊i·in/out⌋, ⌈(i+1)·in/out⌉). */
    private static KernelSpec adaptiveAvgPool(Context k, Op.AdaptiveAvgPool a) {
        int[] in = chw(k.in());
        String constants = new Constants().add("C", in[0]).add("IH", in[1]).add("IW", in[2])
                .add("OH", a.outH()).add("OW", a.outW()).declaration();
        return new KernelSpec("nc", in[0], constants, List.of(loop("oh", "OH"), loop("ow", "OW")), List.of(), d -> {
            CodeBlock.Builder b = CodeBlock.builder();
            b.addStatement("int xo = nc * (IH * IW)");
            b.addStatement("int h0 = oh * IH / OH");
            b.addStatement("int h1 = ((oh + 1) * IH + OH - 1) / OH");
            b.addStatement("int w0 = ow * IW / OW");
            b.addStatement("int w1 = ((ow + 1) * IW + OW - 1) / OW");
            b.addStatement("float acc = 0f");
            b.beginControlFlow("for (int ih = h0; ih < h1; ih++)");
            b.addStatement("for (int iw = w0; iw < w1; iw++) acc += x0[xo + ih * IW + iw]");
            b.endControlFlow();
            store(b, k, d, "acc / ((h1 - h0) * (w1 - w0))", "(nc * OH + oh) * OW + ow");
            return b.build();
        });
    }

    /** y[n, o] = b[o] + Σ_i W[o, i]·x[n, i], the input flattened in C, H, W order. */
    private static KernelSpec fc(Context k, Op.Fc f) {
        boolean bias = k.hasBias(f.bias());
        String constants = new Constants().add("IN", k.in().elements()).add("OUT", f.outFeatures()).declaration();
        return new KernelSpec("no", f.outFeatures(), constants, List.of(), weights(bias), d -> {
            CodeBlock.Builder b = CodeBlock.builder();
            b.addStatement("int n = no / OUT");
            b.addStatement("int o = no - n * OUT");
            b.addStatement("int xo = n * IN");
            b.addStatement("int wo = o * IN");
            b.addStatement("float acc = $L", bias ? "bias[o]" : "0f");
            b.addStatement("for (int i = 0; i < IN; i++) acc += w[wo + i] * x0[xo + i]");
            store(b, k, d, "acc", "no");
            return b.build();
        });
    }

    /** Nearest: source ⌊dst/scale⌋. Bilinear, as PyTorch: (dst + ½)/scale − ½ clamped at 0, or dst·(in − 1)/(out − 1) aligned. */
    private static KernelSpec upsample(Context k, Op.Upsample u) {
        int[] in = chw(k.in()), out = chw(k.out());
        String constants = new Constants().add("C", in[0]).add("IH", in[1]).add("IW", in[2])
                .add("OH", out[1]).add("OW", out[2]).add("FH", u.scaleH()).add("FW", u.scaleW()).declaration();
        return new KernelSpec("nc", in[0], constants, List.of(loop("oh", "OH"), loop("ow", "OW")), List.of(), d -> {
            CodeBlock.Builder b = CodeBlock.builder();
            b.addStatement("int xo = nc * (IH * IW)");
            if (u.mode() == Op.UpsampleMode.NEAREST) {
                store(b, k, d, "x0[xo + (oh / FH) * IW + ow / FW]", "(nc * OH + oh) * OW + ow");
                return b.build();
            }
            b.addStatement("float sh = $L", source(d, u.alignCorners(), "oh", in[1], out[1], u.scaleH()));
            b.addStatement("int h0 = (int) sh");
            b.addStatement("int h1 = $L", d.min("h0 + 1", "IH - 1"));
            b.addStatement("float lh = sh - h0");
            b.addStatement("float sw = $L", source(d, u.alignCorners(), "ow", in[2], out[2], u.scaleW()));
            b.addStatement("int w0 = (int) sw");
            b.addStatement("int w1 = $L", d.min("w0 + 1", "IW - 1"));
            b.addStatement("float lw = sw - w0");
            b.addStatement("float top = x0[xo + h0 * IW + w0] * (1 - lw) + x0[xo + h0 * IW + w1] * lw");
            b.addStatement("float bottom = x0[xo + h1 * IW + w0] * (1 - lw) + x0[xo + h1 * IW + w1] * lw");
            store(b, k, d, "top * (1 - lh) + bottom * lh", "(nc * OH + oh) * OW + ow");
            return b.build();
        });
    }

    private static CodeBlock source(Dialect d, boolean alignCorners, String dst, int in, int out, int scale) {
        if (alignCorners) {
            return CodeBlock.of("$L", out > 1 ? dst + " * " + floatLiteral((float) (in - 1) / (out - 1)) : "0f");
        }
        return d.max("0f", "(" + dst + " + 0.5f) / " + scale + "f - 0.5f");
    }

    /** As PyTorch's LocalResponseNorm: y = x / (k + α/n · Σ x²)^β over channels [c − ⌊n/2⌋, c + ⌊(n−1)/2⌋]. */
    private static KernelSpec lrn(Context k, Op.Lrn l) {
        int[] s = chw(k.in());
        String constants = new Constants().add("C", s[0]).add("HW", (long) s[1] * s[2])
                .add("BEFORE", l.size() / 2).add("AFTER", (l.size() - 1) / 2).declaration();
        return new KernelSpec("nc", s[0], constants, List.<String[]>of(loop("i", "HW")), List.of(), d -> {
            CodeBlock.Builder b = CodeBlock.builder();
            b.addStatement("int n = nc / C");
            b.addStatement("int c = nc - n * C");
            b.addStatement("int c0 = $L", d.max("0", "c - BEFORE"));
            b.addStatement("int c1 = $L", d.min("C - 1", "c + AFTER"));
            b.addStatement("float sum = 0f");
            b.beginControlFlow("for (int j = c0; j <= c1; j++)");
            b.addStatement("float u = x0[(n * C + j) * HW + i]");
            b.addStatement("sum += u * u");
            b.endControlFlow();
            CodeBlock denominator = d.pow(floatLiteral((float) l.k()) + " + " + floatLiteral((float) (l.alpha() / l.size())) + " * sum",
                    floatLiteral((float) l.beta()));
            store(b, k, d, CodeBlock.of("x0[nc * HW + i] / $L", denominator), "nc * HW + i");
            return b.build();
        });
    }

    private static KernelSpec add(Context k) {
        int[] s = chw(k.out());
        StringBuilder sum = new StringBuilder("x0[nc * HW + i]");
        for (int i = 1; i < k.inputs().size(); i++) sum.append(" + x").append(i).append("[nc * HW + i]");
        String constants = new Constants().add("C", s[0]).add("HW", (long) s[1] * s[2]).declaration();
        return new KernelSpec("nc", s[0], constants, List.<String[]>of(loop("i", "HW")), List.of(), d -> {
            CodeBlock.Builder b = CodeBlock.builder();
            store(b, k, d, sum.toString(), "nc * HW + i");
            return b.build();
        });
    }

    /** Channels joined: output channel c of sample n comes from the input whose channel range holds it. */
    private static KernelSpec concat(Context k) {
        int[] out = chw(k.out());
        String constants = new Constants().add("C", out[0]).add("HW", (long) out[1] * out[2]).declaration();
        return new KernelSpec("nc", out[0], constants, List.<String[]>of(loop("i", "HW")), List.of(), d -> {
            CodeBlock.Builder b = CodeBlock.builder();
            b.addStatement("int n = nc / C");
            b.addStatement("int c = nc - n * C");
            b.addStatement("float u");
            int start = 0, last = k.inputs().size() - 1;
            for (int i = 0; i <= last; i++) {
                int channels = chw(k.inputs().get(i))[0], end = start + channels;
                if (last == 0) {
                    b.addStatement("u = x0[nc * HW + i]");
                    break;
                }
                if (i == 0) b.beginControlFlow("if (c < $L)", end);
                else if (i < last) b.nextControlFlow("else if (c < $L)", end);
                else b.nextControlFlow("else");
                b.addStatement("u = x$L[(n * $L + $L) * HW + i]", i, channels, start == 0 ? "c" : "c - " + start);
                start = end;
            }
            if (last > 0) b.endControlFlow();
            store(b, k, d, "u", "nc * HW + i");
            return b.build();
        });
    }

    /** The output of a view (flatten, dropout) or the input itself, when the network's output is one. */
    private static KernelSpec copy(Context k) {
        String constants = new Constants().add("E", k.out().elements()).declaration();
        return new KernelSpec("i", k.out().elements(), constants, List.of(), List.of(), d -> {
            CodeBlock.Builder b = CodeBlock.builder();
            store(b, k, d, "x0[i]", "i");
            return b.build();
        });
    }

    /**
     * Stores {@code value} to {@code y[index]} through the node's epilogue: its activation, the
     * residual (the kernel's last input) and the activation after it.
     */
    static void store(CodeBlock.Builder b, Context k, Dialect d, Object value, String index) {
        Epilogue e = k.epilogue();
        if (e.act() == null && !e.residual() && e.after() == null) {
            b.addStatement("y[$L] = $L", index, value);
            return;
        }
        b.addStatement("float v = $L", value);
        if (e.act() != null) b.addStatement("v = $L", activation(d, e.act(), "v"));
        if (e.residual()) b.addStatement("v += x$L[$L]", k.inputs().size() - 1, index);
        if (e.after() != null) b.addStatement("v = $L", activation(d, e.after(), "v"));
        b.addStatement("y[$L] = v", index);
    }

    static CodeBlock activation(Dialect d, Op.Activation a, String v) {
        return switch (a.function()) {
            case RELU -> CodeBlock.of("$L > 0f ? $L : 0f", v, v);
            case RELU6 -> CodeBlock.of("$L > 0f ? ($L < 6f ? $L : 6f) : 0f", v, v, v);
            case LEAKY_RELU -> CodeBlock.of("$L > 0f ? $L : $L * $L", v, v, floatLiteral((float) a.alpha()), v);
            case SIGMOID -> CodeBlock.of("1f / (1f + $L)", d.exp("-" + v));
            case TANH -> d.tanh(v);
        };
    }

    static String floatLiteral(float f) {
        if (!Float.isFinite(f)) throw new IllegalArgumentException("not a finite float: " + f);
        return f + "f";
    }

    private static List<String> weights(boolean bias) {
        return bias ? List.of("w", "bias") : List.of("w");
    }

    private static String[] loop(String variable, String bound) {
        return new String[] {variable, bound};
    }

    /** Channels, height, width of a shape; a vector is N×1×1. */
    static int[] chw(Shape s) {
        return switch (s) {
            case Shape.Map m -> new int[] {m.c(), m.h(), m.w()};
            case Shape.Vec v -> new int[] {v.n(), 1, 1};
        };
    }
}
