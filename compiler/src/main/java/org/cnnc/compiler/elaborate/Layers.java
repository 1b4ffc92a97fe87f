package org.cnnc.compiler.elaborate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.cnnc.compiler.ir.Op;
import org.cnnc.compiler.ir.Op.ActivationKind;
import org.cnnc.compiler.ir.Op.PoolKind;

/**
 * The built-in layers: their parameters in positional order, and how their arguments
 * become an {@link Op}. Layer and parameter names are case-insensitive.
 */
final class Layers {

    /** A layer parameter; {@code aliases} are other accepted spellings. */
    record Param(String name, List<String> aliases, String doc) {}

    record Spec(String name, List<Param> params, Function<LayerArgs, Op> factory, String doc) {
        Param param(String nameOrAlias) {
            String n = nameOrAlias.toLowerCase(Locale.ROOT);
            for (Param p : params) {
                if (p.name().equals(n) || p.aliases().contains(n)) return p;
            }
            return null;
        }
    }

    private static final Map<String, Spec> BY_NAME = new LinkedHashMap<>();
    private static final Map<String, String> ALIASES = Map.of(
            "batchnorm", "bn", "linear", "fc", "deconv", "convtranspose", "depthwise", "dwconv",
            "dropout2d", "dropout", "gap", "globalavgpool");

    static {
        Param c = p("c", "channels (default: the input's)", "out", "channels");
        Param k = p("k", "kernel size", "kernel");
        Param s = p("s", "stride", "stride");
        Param pad = p("p", "padding, or same", "padding", "pad");
        Param d = p("d", "dilation", "dilation");
        Param groups = p("groups", "groups", "g");
        Param bias = p("bias", "whether a bias is added");

        define("conv", "2-D convolution; bare `conv` is 3×3, stride 1, padding same, keeping the channels",
                List.of(c, k, s, pad, d, groups, bias), a -> {
                    int kk = a.integer("k", 3, 1), ss = a.integer("s", 1, 1), dd = a.integer("d", 1, 1);
                    int pp = a.padding("p", kk, ss, dd, a.bare());
                    return new Op.Conv(a.integer("c", a.in().channels(), 1), kk, kk, ss, ss, pp, pp, dd, dd,
                            a.integer("groups", 1, 1), a.bool("bias", true));
                });
        define("dwconv", "depthwise convolution: one filter group per input channel",
                List.of(k, s, pad, d, p("multiplier", "output channels per input channel"), bias), a -> {
                    int kk = a.integer("k", 3, 1), ss = a.integer("s", 1, 1), dd = a.integer("d", 1, 1);
                    int pp = a.padding("p", kk, ss, dd, a.bare());
                    int in = a.in().channels();
                    return new Op.Conv(in * a.integer("multiplier", 1, 1), kk, kk, ss, ss, pp, pp, dd, dd, in,
                            a.bool("bias", true));
                });
        define("convtranspose", "transposed convolution (PyTorch's ConvTranspose2d)",
                List.of(c, k, s, pad, p("op", "output padding", "output_padding"), d, groups, bias), a -> {
                    int kk = a.integer("k", 3, 1), ss = a.integer("s", 1, 1), dd = a.integer("d", 1, 1);
                    int pp = a.integer("p", 0, 0), op = a.integer("op", 0, 0);
                    return new Op.ConvTranspose(a.integer("c", a.in().channels(), 1), kk, kk, ss, ss, pp, pp, op, op,
                            dd, dd, a.integer("groups", 1, 1), a.bool("bias", true));
                });
        define("bn", "batch normalisation with running statistics",
                List.of(p("eps", "added to the variance")), a -> {
                    double eps = a.number("eps", 1e-5);
                    if (!(eps > 0)) throw a.error("eps", "must be positive, but is " + eps);
                    return new Op.BatchNorm(eps);
                });
        activation("relu", ActivationKind.RELU);
        activation("relu6", ActivationKind.RELU6);
        activation("sigmoid", ActivationKind.SIGMOID);
        activation("tanh", ActivationKind.TANH);
        define("leakyrelu", "leaky ReLU: x for x > 0, a·x otherwise",
                List.of(p("a", "negative slope", "alpha", "slope")),
                a -> new Op.Activation(ActivationKind.LEAKY_RELU, a.number("a", 0.01)));
        define("softmax", "softmax over the features (over the channels of a map)", List.of(), a -> new Op.Softmax());
        pool("maxpool", PoolKind.MAX, "max pooling; bare `maxpool` is 2×2, stride 2");
        pool("avgpool", PoolKind.AVG, "average pooling (padded zeros count in the divisor, as in PyTorch)");
        pool("pool", PoolKind.MAX, "max pooling (the cs231n POOL); bare `pool` is 2×2, stride 2");
        define("globalavgpool", "average over the whole map: C×H×W to C×1×1", List.of(),
                a -> new Op.AdaptiveAvgPool(1, 1));
        define("adaptiveavgpool", "average pooling to a fixed output size (PyTorch's AdaptiveAvgPool2d)",
                List.of(p("h", "output height", "size"), p("w", "output width (default: h)")), a -> {
                    if (!a.given("h")) throw a.error("h", "is required: the output height");
                    int h = a.integer("h", 1, 1);
                    return new Op.AdaptiveAvgPool(h, a.integer("w", h, 1));
                });
        define("flatten", "C×H×W to a vector of C·H·W features", List.of(), a -> new Op.Flatten());
        define("fc", "fully connected; flattens a map first; bare `fc` keeps the number of features",
                List.of(p("n", "output features (default: the input's)", "out", "features"), bias),
                a -> new Op.Fc(a.integer("n", (int) Math.min(Integer.MAX_VALUE, a.in().elements()), 1),
                        a.bool("bias", true)));
        define("dropout", "dropout: the identity at inference", List.of(p("p", "drop probability")), a -> {
            double pp = a.number("p", 0.5);
            if (pp < 0 || pp >= 1) throw a.error("p", "must be in [0, 1), but is " + pp);
            return new Op.Dropout(pp);
        });
        define("upsample", "upsampling by an integer factor",
                List.of(p("scale", "factor", "s", "scale_factor"), p("mode", "nearest or bilinear"),
                        p("align_corners", "bilinear corner alignment")), a -> {
                    int f = a.integer("scale", 2, 1);
                    String mode = a.word("mode", "nearest", List.of("nearest", "bilinear"));
                    return new Op.Upsample(f, f, mode.equals("nearest") ? Op.UpsampleMode.NEAREST
                            : Op.UpsampleMode.BILINEAR, a.bool("align_corners", false));
                });
        define("lrn", "local response normalisation across channels (PyTorch's LocalResponseNorm)",
                List.of(p("size", "channels in the window"), p("alpha", ""), p("beta", ""), p("k", "")),
                a -> new Op.Lrn(a.integer("size", 5, 1), a.number("alpha", 1e-4), a.number("beta", 0.75),
                        a.number("k", 1.0)));
        define("identity", "passes its input on; takes no place in the names", List.of(), a -> null);
    }

    private Layers() {}

    /** The layer of that name or alias, case-insensitively; null if there is none. */
    static Spec find(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return BY_NAME.get(ALIASES.getOrDefault(n, n));
    }

    static List<String> names() {
        List<String> all = new ArrayList<>(BY_NAME.keySet());
        all.addAll(ALIASES.keySet());
        return all;
    }

    static List<Spec> all() {
        return List.copyOf(BY_NAME.values());
    }

    private static Param p(String name, String doc, String... aliases) {
        return new Param(name, List.of(aliases), doc);
    }

    private static void define(String name, String doc, List<Param> params, Function<LayerArgs, Op> factory) {
        BY_NAME.put(name, new Spec(name, params, factory, doc));
    }

    private static void activation(String name, ActivationKind kind) {
        define(name, name, List.of(), a -> new Op.Activation(kind, 0));
    }

    private static void pool(String name, PoolKind kind, String doc) {
        List<Param> params = new ArrayList<>(List.of(p("k", "window size", "kernel"), p("s", "stride (default: k)", "stride"),
                p("p", "padding", "padding", "pad"), p("ceil", "round the output size up", "ceil_mode")));
        if (kind == PoolKind.AVG) params.add(p("count_include_pad", "padded zeros count in the divisor"));
        define(name, doc, params, a -> {
            int kk = a.integer("k", 2, 1);
            int ss = a.integer("s", kk, 1);
            int pp = a.padding("p", kk, ss, 1, false);
            return new Op.Pool(kind, kk, kk, ss, ss, pp, pp, a.bool("ceil", false),
                    kind == PoolKind.AVG && a.bool("count_include_pad", true));
        });
    }

}
