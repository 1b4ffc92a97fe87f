package org.cnnc.compiler.export;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.cnnc.compiler.diag.CompileError;
import org.cnnc.compiler.ir.Graph;
import org.cnnc.compiler.ir.Node;
import org.cnnc.compiler.ir.Op;
import org.cnnc.compiler.ir.Shape;
import org.cnnc.compiler.shape.StateDict;
import org.cnnc.compiler.weights.Weights;

/**
 * Writes a network and its weights as an ONNX model (IR version 8, default-domain opset 17).
 *
 * <p>The graph has one input, {@code input} of shape [N, C, H, W] (or [N, F] for a vector input)
 * with N a symbolic dimension, and one output, {@code output}. Weights are initializers named by
 * their state_dict names, as little-endian float32 {@code raw_data}; ONNX nodes carry the cnnc
 * node names, and every intermediate value its shape.
 *
 * <p>Where ONNX has no operator with PyTorch's exact semantics, the export composes one:
 * <ul>
 *   <li>ceil-mode pooling becomes floor-mode pooling with the bottom/right padding that gives
 *       PyTorch's output size (opset 17 leaves open whether a last window starting in the right
 *       padding counts, and how an average divides where a window overhangs the padding); average
 *       pooling that counts padding then pads explicitly with zeros and divides by the window
 *       clipped to the padded input, as PyTorch does;</li>
 *   <li>adaptive average pooling whose windows are not a regular tiling becomes a product with
 *       constant averaging matrices over W and over H (PyTorch's windows
 *       [floor(i·in/out), ceil((i+1)·in/out)));</li>
 *   <li>LRN with an even size becomes square, a zero-padded average over channels, scale, shift,
 *       power and divide (ONNX centres an even window one channel later than PyTorch does).</li>
 * </ul>
 * Sizes are computed before anything is written, so weights stream straight from their arrays.
 */
public final class OnnxExport {
    public static final int IR_VERSION = 8;
    public static final int OPSET = 17;
    public static final String INPUT = "input";
    public static final String OUTPUT = "output";
    /** The symbolic batch dimension of the input and output. */
    public static final String BATCH = "N";
    /** Protocol buffers cannot parse a message of 2 GiB or more. */
    static final long MAX_MODEL_BYTES = Integer.MAX_VALUE;

    // onnx.proto field numbers
    private static final int MODEL_IR_VERSION = 1;
    private static final int MODEL_PRODUCER_NAME = 2;
    private static final int MODEL_PRODUCER_VERSION = 3;
    private static final int MODEL_DOC_STRING = 6;
    private static final int MODEL_GRAPH = 7;
    private static final int MODEL_OPSET_IMPORT = 8;
    private static final int OPSET_VERSION = 2;
    private static final int GRAPH_NODE = 1;
    private static final int GRAPH_NAME = 2;
    private static final int GRAPH_INITIALIZER = 5;
    private static final int GRAPH_DOC_STRING = 10;
    private static final int GRAPH_INPUT = 11;
    private static final int GRAPH_OUTPUT = 12;
    private static final int GRAPH_VALUE_INFO = 13;
    private static final int NODE_INPUT = 1;
    private static final int NODE_OUTPUT = 2;
    private static final int NODE_NAME = 3;
    private static final int NODE_OP_TYPE = 4;
    private static final int NODE_ATTRIBUTE = 5;
    private static final int NODE_DOC_STRING = 6;
    private static final int ATTR_NAME = 1;
    private static final int ATTR_F = 2;
    private static final int ATTR_I = 3;
    private static final int ATTR_S = 4;
    private static final int ATTR_INTS = 8;
    private static final int ATTR_TYPE = 20;
    private static final int ATTR_TYPE_FLOAT = 1;
    private static final int ATTR_TYPE_INT = 2;
    private static final int ATTR_TYPE_STRING = 3;
    private static final int ATTR_TYPE_INTS = 7;
    private static final int TENSOR_DIMS = 1;
    private static final int TENSOR_DATA_TYPE = 2;
    private static final int TENSOR_INT64_DATA = 7;
    private static final int TENSOR_NAME = 8;
    private static final int TENSOR_RAW_DATA = 9;
    private static final int FLOAT = 1;
    private static final int INT64 = 7;
    private static final int VALUE_NAME = 1;
    private static final int VALUE_TYPE = 2;
    private static final int TYPE_TENSOR = 1;
    private static final int TYPE_TENSOR_ELEM_TYPE = 1;
    private static final int TYPE_TENSOR_SHAPE = 2;
    private static final int SHAPE_DIM = 1;
    private static final int DIM_VALUE = 1;
    private static final int DIM_PARAM = 2;

    private OnnxExport() {}

    /** Writes the model; the stream is flushed, not closed. */
    public static void write(Graph graph, Weights weights, OutputStream out) throws IOException {
        write(graph, weights, null, out);
    }

    /**
     * Writes the model with {@code note} (such as where the weights came from) added to its
     * doc_string; the stream is flushed, not closed.
     */
    public static void write(Graph graph, Weights weights, String note, OutputStream out) throws IOException {
        ProtoMessage model = model(graph, weights, note);
        if (model.size() > MAX_MODEL_BYTES) {
            throw new CompileError(graph.input().pos(), String.format(
                    "the ONNX model of %s would take %,d bytes, over the 2 GiB that protocol buffers can hold",
                    graph.name(), model.size()));
        }
        ProtoWriter w = new ProtoWriter(out);
        model.writeTo(w);
        w.flush();
    }

    /** The network's name and parameters, as the model's doc_string begins: {@code ResNet18(classes=1000)}. */
    public static String title(Graph graph) {
        if (graph.parameters().isEmpty()) return graph.name();
        return graph.name() + graph.parameters().entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", ", "(", ")"));
    }

    static ProtoMessage model(Graph graph, Weights weights, String note) {
        String doc = "network " + title(graph) + ", input " + graph.input().shape() + ", exported by cnnc "
                + version() + (note == null || note.isBlank() ? "" : "\n" + note);
        ProtoMessage g = new GraphBuilder(graph, weights).build(doc);
        return new ProtoMessage()
                .varint(MODEL_IR_VERSION, IR_VERSION)
                .string(MODEL_PRODUCER_NAME, "cnnc")
                .string(MODEL_PRODUCER_VERSION, version())
                .string(MODEL_DOC_STRING, doc)
                .message(MODEL_GRAPH, g)
                .message(MODEL_OPSET_IMPORT, new ProtoMessage().varint(OPSET_VERSION, OPSET));
    }

    private static String version() {
        Properties p = new Properties();
        try (InputStream in = OnnxExport.class.getResourceAsStream("/cnnc/version.properties")) {
            if (in != null) p.load(in);
        } catch (IOException e) {
            return "unknown";
        }
        return p.getProperty("version", "unknown");
    }

    /** Builds the GraphProto: nodes in the IR's topological order, then initializers and value infos. */
    private static final class GraphBuilder {
        private final Graph graph;
        private final Weights weights;
        private final List<ProtoMessage> nodes = new ArrayList<>();
        private final List<ProtoMessage> initializers = new ArrayList<>();
        private final List<ProtoMessage> valueInfos = new ArrayList<>();
        private final Set<String> valueNames = new HashSet<>();
        private final Set<String> nodeNames = new HashSet<>();
        private final Map<String, String> shared = new HashMap<>();
        private final String[] valueOf;

        GraphBuilder(Graph graph, Weights weights) {
            this.graph = graph;
            this.weights = weights;
            this.valueOf = new String[graph.nodes().size()];
        }

        ProtoMessage build(String doc) {
            for (StateDict.Tensor t : StateDict.tensors(graph)) {
                valueNames.add(t.name());
                initializers.add(floatTensor(t.name(), dims(t.shape()), weights.get(t.name())));
            }
            valueNames.add(INPUT);
            valueNames.add(OUTPUT);
            valueOf[0] = INPUT;
            for (Node n : graph.nodes()) {
                if (n.id() == 0) continue;
                boolean isOutput = n.id() == graph.output();
                String out = isOutput ? OUTPUT : uniqueValue(n.name());
                emit(n, out);
                valueOf[n.id()] = out;
                if (!isOutput) valueInfos.add(valueInfo(out, n.shape()));
            }
            if (graph.output() == 0) node(OUTPUT, "Identity", graph.input(), List.of(INPUT), OUTPUT);

            ProtoMessage g = new ProtoMessage();
            for (ProtoMessage n : nodes) g.message(GRAPH_NODE, n);
            g.string(GRAPH_NAME, graph.name());
            for (ProtoMessage t : initializers) g.message(GRAPH_INITIALIZER, t);
            g.string(GRAPH_DOC_STRING, doc);
            g.message(GRAPH_INPUT, valueInfo(INPUT, graph.input().shape()));
            g.message(GRAPH_OUTPUT, valueInfo(OUTPUT, graph.outputNode().shape()));
            for (ProtoMessage v : valueInfos) g.message(GRAPH_VALUE_INFO, v);
            return g;
        }

        private void emit(Node n, String out) {
            String x = valueOf[n.inputs().get(0)];
            String p = n.name();
            switch (n.op()) {
                case Op.Input i -> throw new IllegalStateException("a second input node");
                case Op.Conv c -> {
                    List<String> in = c.bias() ? List.of(x, p + ".weight", p + ".bias") : List.of(x, p + ".weight");
                    node(p, "Conv", n, in, out,
                            ints("kernel_shape", c.kh(), c.kw()), ints("strides", c.sh(), c.sw()),
                            ints("pads", c.ph(), c.pw(), c.ph(), c.pw()), ints("dilations", c.dh(), c.dw()),
                            integer("group", c.groups()));
                }
                case Op.ConvTranspose t -> {
                    List<String> in = t.bias() ? List.of(x, p + ".weight", p + ".bias") : List.of(x, p + ".weight");
                    node(p, "ConvTranspose", n, in, out,
                            ints("kernel_shape", t.kh(), t.kw()), ints("strides", t.sh(), t.sw()),
                            ints("pads", t.ph(), t.pw(), t.ph(), t.pw()), ints("dilations", t.dh(), t.dw()),
                            ints("output_padding", t.outPadH(), t.outPadW()), integer("group", t.groups()));
                }
                case Op.BatchNorm b -> node(p, "BatchNormalization", n,
                        List.of(x, p + ".weight", p + ".bias", p + ".running_mean", p + ".running_var"), out,
                        real("epsilon", b.eps()));
                case Op.Activation a -> {
                    switch (a.function()) {
                        case RELU -> node(p, "Relu", n, List.of(x), out);
                        case RELU6 -> node(p, "Clip", n,
                                List.of(x, scalar("/const/zero", 0f), scalar("/const/six", 6f)), out);
                        case LEAKY_RELU -> node(p, "LeakyRelu", n, List.of(x), out, real("alpha", a.alpha()));
                        case SIGMOID -> node(p, "Sigmoid", n, List.of(x), out);
                        case TANH -> node(p, "Tanh", n, List.of(x), out);
                    }
                }
                case Op.Softmax s -> node(p, "Softmax", n, List.of(x), out, integer("axis", 1));
                case Op.Pool pool -> pool(n, pool, x, out);
                case Op.AdaptiveAvgPool a -> adaptiveAvgPool(n, a, x, out);
                case Op.Flatten f -> node(p, "Flatten", n, List.of(x), out, integer("axis", 1));
                case Op.Fc f -> {
                    String in = x;
                    Shape inShape = inputShape(n);
                    if (inShape instanceof Shape.Map) {
                        in = uniqueValue(p + "/flatten");
                        node(p + "/flatten", "Flatten", n, List.of(x), in, integer("axis", 1));
                        valueInfos.add(valueInfo(in, new Shape.Vec((int) inShape.elements())));
                    }
                    List<String> ins = f.bias() ? List.of(in, p + ".weight", p + ".bias") : List.of(in, p + ".weight");
                    node(p, "Gemm", n, ins, out, integer("transB", 1));
                }
                case Op.Dropout d -> node(p, "Identity", n, List.of(x), out);
                case Op.Upsample u -> {
                    String scales = uniqueValue(p + "/scales");
                    initializers.add(floatTensor(scales, new long[] {4}, new float[] {1, 1, u.scaleH(), u.scaleW()}));
                    List<String> in = List.of(x, "", scales);
                    if (u.mode() == Op.UpsampleMode.NEAREST) {
                        node(p, "Resize", n, in, out, string("mode", "nearest"),
                                string("coordinate_transformation_mode", "asymmetric"), string("nearest_mode", "floor"));
                    } else {
                        node(p, "Resize", n, in, out, string("mode", "linear"),
                                string("coordinate_transformation_mode", u.alignCorners() ? "align_corners" : "half_pixel"));
                    }
                }
                case Op.Lrn l -> lrn(n, l, x, out);
                case Op.Add a -> node(p, n.inputs().size() == 2 ? "Add" : "Sum", n, inputs(n), out);
                case Op.Concat c -> node(p, "Concat", n, inputs(n), out, integer("axis", 1));
            }
        }

        /**
         * Pooling with PyTorch's output size and divisors in floor mode: the bottom/right padding is
         * whatever makes floor-mode windows end where PyTorch's ceil-mode windows do.
         */
        private void pool(Node n, Op.Pool pool, String x, String out) {
            Shape.Map in = (Shape.Map) inputShape(n);
            Shape.Map o = (Shape.Map) n.shape();
            int endH = endPad(in.h(), pool.kh(), pool.sh(), pool.ph(), o.h());
            int endW = endPad(in.w(), pool.kw(), pool.sw(), pool.pw(), o.w());
            String p = n.name();
            ProtoMessage kernel = ints("kernel_shape", pool.kh(), pool.kw());
            ProtoMessage strides = ints("strides", pool.sh(), pool.sw());
            ProtoMessage floor = integer("ceil_mode", 0);
            if (pool.pool() == Op.PoolKind.MAX) {
                node(p, "MaxPool", n, List.of(x), out, kernel, strides,
                        ints("pads", pool.ph(), pool.pw(), endH, endW), floor);
                return;
            }
            boolean overhang = endH > pool.ph() || endW > pool.pw();
            if (!pool.countIncludePad() || !overhang) {
                node(p, "AveragePool", n, List.of(x), out, kernel, strides,
                        ints("pads", pool.ph(), pool.pw(), endH, endW), floor,
                        integer("count_include_pad", pool.countIncludePad() ? 1 : 0));
                return;
            }
            // Windows overhang the padding and PyTorch counts the padding (not the overhang) in the
            // divisor: pad with zeros explicitly, then divide by the window clipped to the padded input.
            String padded = x;
            if (pool.ph() > 0 || pool.pw() > 0) {
                padded = uniqueValue(p + "/pad");
                String pads = int64Constant(p + "/pads", 0, 0, pool.ph(), pool.pw(), 0, 0, pool.ph(), pool.pw());
                node(p + "/pad", "Pad", n, List.of(x, pads), padded, string("mode", "constant"));
                valueInfos.add(valueInfo(padded, new Shape.Map(in.c(), in.h() + 2 * pool.ph(), in.w() + 2 * pool.pw())));
            }
            node(p, "AveragePool", n, List.of(padded), out, kernel, strides,
                    ints("pads", 0, 0, endH - pool.ph(), endW - pool.pw()), floor, integer("count_include_pad", 0));
        }

        /** The end padding for which floor((n + p + end − k)/s) + 1 = out, never less than p. */
        private static int endPad(int n, int k, int s, int p, int out) {
            return Math.max(p, (out - 1) * s + k - n - p);
        }

        private void adaptiveAvgPool(Node n, Op.AdaptiveAvgPool a, String x, String out) {
            Shape.Map in = (Shape.Map) inputShape(n);
            String p = n.name();
            if (a.outH() == 1 && a.outW() == 1) {
                node(p, "GlobalAveragePool", n, List.of(x), out);
                return;
            }
            if (in.h() % a.outH() == 0 && in.w() % a.outW() == 0) {
                int kh = in.h() / a.outH();
                int kw = in.w() / a.outW();
                node(p, "AveragePool", n, List.of(x), out, ints("kernel_shape", kh, kw), ints("strides", kh, kw),
                        ints("pads", 0, 0, 0, 0), integer("ceil_mode", 0), integer("count_include_pad", 0));
                return;
            }
            // [N, C, H, W] · Aw[W, outW] → [N, C, H, outW];  Ah[outH, H] · that → [N, C, outH, outW]
            boolean alongW = in.w() != a.outW();
            boolean alongH = in.h() != a.outH();
            String cur = x;
            if (alongW) {
                String m = uniqueValue(p + "/average_w");
                initializers.add(floatTensor(m, new long[] {in.w(), a.outW()}, averaging(in.w(), a.outW(), true)));
                String to = alongH ? uniqueValue(p + "/pooled_w") : out;
                node(alongH ? p + "/pool_w" : p, "MatMul", n, List.of(cur, m), to);
                if (alongH) valueInfos.add(valueInfo(to, new Shape.Map(in.c(), in.h(), a.outW())));
                cur = to;
            }
            if (alongH) {
                String m = uniqueValue(p + "/average_h");
                initializers.add(floatTensor(m, new long[] {a.outH(), in.h()}, averaging(in.h(), a.outH(), false)));
                node(p, "MatMul", n, List.of(m, cur), out);
            }
        }

        /**
         * The matrix that averages PyTorch's adaptive windows: [in, out] when {@code inputRows}
         * (multiplied from the right), else [out, in].
         */
        private static float[] averaging(int in, int out, boolean inputRows) {
            float[] m = new float[in * out];
            for (int i = 0; i < out; i++) {
                int start = (int) ((long) i * in / out);
                int end = (int) (((long) (i + 1) * in + out - 1) / out);
                float v = (float) (1.0 / (end - start));
                for (int j = start; j < end; j++) m[inputRows ? j * out + i : i * in + j] = v;
            }
            return m;
        }

        private void lrn(Node n, Op.Lrn l, String x, String out) {
            String p = n.name();
            if (l.size() % 2 == 1) {
                node(p, "LRN", n, List.of(x), out, integer("size", l.size()), real("alpha", l.alpha()),
                        real("beta", l.beta()), real("bias", l.k()));
                return;
            }
            // PyTorch: x / (k + alpha · mean of x² over channels [c − size/2, c + (size−1)/2], zeros outside)^beta
            Shape.Map in = (Shape.Map) inputShape(n);
            String axis = sharedInt64("/const/axis1", 1);
            String sq = uniqueValue(p + "/square");
            node(p + "/square", "Mul", n, List.of(x, x), sq);
            String un = uniqueValue(p + "/unsqueeze");
            node(p + "/unsqueeze", "Unsqueeze", n, List.of(sq, axis), un);
            String avg = uniqueValue(p + "/window_mean");
            node(p + "/window_mean", "AveragePool", n, List.of(un), avg, ints("kernel_shape", l.size(), 1, 1),
                    ints("strides", 1, 1, 1), ints("pads", l.size() / 2, 0, 0, (l.size() - 1) / 2, 0, 0),
                    integer("ceil_mode", 0), integer("count_include_pad", 1));
            String mean = uniqueValue(p + "/mean");
            node(p + "/squeeze", "Squeeze", n, List.of(avg, axis), mean);
            String scaled = uniqueValue(p + "/scaled");
            node(p + "/scale", "Mul", n, List.of(mean, scalar(p + "/alpha", (float) l.alpha())), scaled);
            String shifted = uniqueValue(p + "/shifted");
            node(p + "/shift", "Add", n, List.of(scaled, scalar(p + "/k", (float) l.k())), shifted);
            String denom = uniqueValue(p + "/denominator");
            node(p + "/power", "Pow", n, List.of(shifted, scalar(p + "/beta", (float) l.beta())), denom);
            node(p, "Div", n, List.of(x, denom), out);
            for (String v : List.of(sq, mean, scaled, shifted, denom)) valueInfos.add(valueInfo(v, in));
        }

        private Shape inputShape(Node n) {
            return graph.node(n.inputs().get(0)).shape();
        }

        private List<String> inputs(Node n) {
            return n.inputs().stream().map(i -> valueOf[i]).toList();
        }

        private void node(String name, String opType, Node source, List<String> in, String out, ProtoMessage... attributes) {
            ProtoMessage m = new ProtoMessage();
            for (String i : in) m.string(NODE_INPUT, i);
            m.string(NODE_OUTPUT, out);
            m.string(NODE_NAME, uniqueNode(name));
            m.string(NODE_OP_TYPE, opType);
            for (ProtoMessage a : attributes) m.message(NODE_ATTRIBUTE, a);
            m.string(NODE_DOC_STRING, source.op().kind() + " at " + source.pos());
            nodes.add(m);
        }

        private String uniqueValue(String base) {
            return unique(base, valueNames);
        }

        private String uniqueNode(String base) {
            return unique(base, nodeNames);
        }

        private static String unique(String base, Set<String> taken) {
            String name = base;
            for (int i = 2; !taken.add(name); i++) name = base + "_" + i;
            return name;
        }

        /** A float scalar (rank 0) initializer; one per name. */
        private String scalar(String name, float value) {
            return shared.computeIfAbsent("f:" + name + ":" + value, k -> {
                String v = uniqueValue(name);
                initializers.add(floatTensor(v, new long[0], new float[] {value}));
                return v;
            });
        }

        private String sharedInt64(String name, long... values) {
            return shared.computeIfAbsent("i:" + name + ":" + Arrays.toString(values), k -> int64Constant(name, values));
        }

        private String int64Constant(String name, long... values) {
            String v = uniqueValue(name);
            initializers.add(new ProtoMessage()
                    .varint(TENSOR_DIMS, values.length)
                    .varint(TENSOR_DATA_TYPE, INT64)
                    .packedVarints(TENSOR_INT64_DATA, values)
                    .string(TENSOR_NAME, v));
            return v;
        }
    }

    private static long[] dims(List<Integer> shape) {
        return shape.stream().mapToLong(Integer::longValue).toArray();
    }

    private static ProtoMessage floatTensor(String name, long[] dims, float[] data) {
        ProtoMessage t = new ProtoMessage();
        for (long d : dims) t.varint(TENSOR_DIMS, d);
        return t.varint(TENSOR_DATA_TYPE, FLOAT)
                .string(TENSOR_NAME, name)
                .rawFloats(TENSOR_RAW_DATA, data);
    }

    /** A float tensor value named {@code name}: [N, C, H, W] for a map, [N, F] for a vector. */
    private static ProtoMessage valueInfo(String name, Shape shape) {
        ProtoMessage dims = new ProtoMessage().message(SHAPE_DIM, new ProtoMessage().string(DIM_PARAM, BATCH));
        for (int d : shape.dims()) dims.message(SHAPE_DIM, new ProtoMessage().varint(DIM_VALUE, d));
        ProtoMessage tensor = new ProtoMessage().varint(TYPE_TENSOR_ELEM_TYPE, FLOAT).message(TYPE_TENSOR_SHAPE, dims);
        return new ProtoMessage().string(VALUE_NAME, name)
                .message(VALUE_TYPE, new ProtoMessage().message(TYPE_TENSOR, tensor));
    }

    private static ProtoMessage integer(String name, long value) {
        return new ProtoMessage().string(ATTR_NAME, name).varint(ATTR_I, value).varint(ATTR_TYPE, ATTR_TYPE_INT);
    }

    private static ProtoMessage ints(String name, long... values) {
        ProtoMessage a = new ProtoMessage().string(ATTR_NAME, name);
        for (long v : values) a.varint(ATTR_INTS, v);
        return a.varint(ATTR_TYPE, ATTR_TYPE_INTS);
    }

    private static ProtoMessage real(String name, double value) {
        return new ProtoMessage().string(ATTR_NAME, name).float32(ATTR_F, (float) value).varint(ATTR_TYPE, ATTR_TYPE_FLOAT);
    }

    private static ProtoMessage string(String name, String value) {
        return new ProtoMessage().string(ATTR_NAME, name).string(ATTR_S, value).varint(ATTR_TYPE, ATTR_TYPE_STRING);
    }
}
