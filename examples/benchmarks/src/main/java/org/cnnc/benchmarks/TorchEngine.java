package org.cnnc.benchmarks;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * PyTorch (libtorch's CPU operators, through DJL) on a network's ONNX export, run eagerly: each
 * ONNX node is the one PyTorch operator that a module of the same layer calls in eval mode
 * (conv2d, batch_norm, relu, clamp, max_pool2d, adaptive_avg_pool2d, linear, add), one after
 * another, with no graph compiler and no fusion, as {@code model.eval()} runs under
 * {@code torch.no_grad()} (DJL turns gradients off when it loads the engine). Weights are tensors
 * made once; every intermediate of a call is freed when it returns. {@code threads} intra-op
 * threads, one inter-op thread.
 */
public final class TorchEngine implements org.cnnc.benchmarks.Engine {
    /** One node: reads its input slots, returns its output. */
    @FunctionalInterface
    private interface Step {
        NDArray apply(NDArray[] values);
    }

    private final NDManager manager;
    private final NDArray[] values;
    private final Step[] steps;
    private final int[] outSlots;
    private final int inputSlot, outputSlot;
    private final NDArray input;
    private float[] output = new float[0];

    private TorchEngine(NDManager manager, NDArray[] values, Step[] steps, int[] outSlots, int inputSlot, int outputSlot, NDArray input) {
        this.manager = manager;
        this.values = values;
        this.steps = steps;
        this.outSlots = outSlots;
        this.inputSlot = inputSlot;
        this.outputSlot = outputSlot;
        this.input = input;
    }

    /**
     * PyTorch's and DJL's versions, as the jars on the class path give them (the native one's
     * {@code native/lib/pytorch.properties}), without loading libtorch.
     */
    public static String describe() {
        Properties p = new Properties();
        try (InputStream in = TorchEngine.class.getResourceAsStream("/native/lib/pytorch.properties")) {
            if (in != null) p.load(in);
        } catch (IOException e) {
            // unknown, said below
        }
        String version = p.getProperty("version", "unknown").replaceFirst("-.*", "");
        return version + " (" + p.getProperty("flavor", "?") + ", " + p.getProperty("classifier", "?") + "), through DJL "
                + Engine.getDjlVersion();
    }

    private static Engine engine(int threads) {
        // read once, when DJL loads the engine: the natives come from the class path, never a download
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("ai.djl.pytorch.graph_optimizer", "false");
        return Engine.getEngine("PyTorch");
    }

    /** Opens the ONNX export {@code onnx} for batches of {@code batch} samples. */
    public static TorchEngine open(Path onnx, int batch, int threads) {
        if (!Files.isRegularFile(onnx)) throw new IllegalArgumentException("no ONNX model " + onnx + " (run run.sh, which exports it)");
        OnnxGraph graph;
        try {
            graph = OnnxGraph.read(onnx);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + onnx + ": " + e.getMessage(), e);
        }
        NDManager manager = engine(threads).newBaseManager(Device.cpu());
        try {
            Map<String, Integer> slots = new HashMap<>();
            List<NDArray> constants = new ArrayList<>();
            Map<String, float[]> scalars = new HashMap<>();
            for (var e : graph.initializers().entrySet()) {
                OnnxGraph.Tensor t = e.getValue();
                if (t.floats() == null) continue;
                if (t.dims().length == 0) {
                    scalars.put(e.getKey(), t.floats());   // bounds the operators take as numbers, not tensors
                    continue;
                }
                slots.put(e.getKey(), constants.size());
                constants.add(manager.create(t.floats(), new Shape(t.dims())));
            }
            int inputSlot = constants.size();
            slots.put(graph.input(), inputSlot);
            List<Step> steps = new ArrayList<>();
            List<Integer> outs = new ArrayList<>();
            for (OnnxGraph.NodeDef node : graph.nodes()) {
                int[] in = node.inputs().stream().filter(s -> !s.isEmpty()).mapToInt(s -> {
                    Integer slot = slots.get(s);
                    if (slot == null && !scalars.containsKey(s)) throw new IllegalArgumentException("node " + node.name() + " reads " + s + ", which nothing wrote");
                    return slot == null ? -1 : slot;
                }).toArray();
                steps.add(step(node, in, scalars));
                int out = inputSlot + 1 + outs.size();
                slots.put(node.outputs().get(0), out);
                outs.add(out);
            }
            Integer outputSlot = slots.get(graph.output());
            if (outputSlot == null) throw new IllegalArgumentException("nothing writes the output " + graph.output());
            long[] shape = graph.inputShape().clone();
            shape[0] = batch;
            long elements = Arrays.stream(shape).reduce(1, Math::multiplyExact);
            NDArray x = manager.create(Inputs.normal(Math.toIntExact(elements), Inputs.SEED), new Shape(shape));
            NDArray[] values = new NDArray[inputSlot + 1 + outs.size()];
            for (int k = 0; k < inputSlot; k++) values[k] = constants.get(k);
            return new TorchEngine(manager, values, steps.toArray(Step[]::new), outs.stream().mapToInt(Integer::intValue).toArray(),
                    inputSlot, outputSlot, x);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** The PyTorch operator for one ONNX node; {@code in} are its inputs' slots. */
    private static Step step(OnnxGraph.NodeDef node, int[] in, Map<String, float[]> scalars) {
        final int x = in[0];
        return switch (node.opType()) {
            case "Conv" -> {
                long[] pads = symmetricPads(node), strides = node.ints("strides", 1, 1), dilations = node.ints("dilations", 1, 1);
                int groups = (int) node.integer("group", 1);
                Shape s = new Shape(strides), p = new Shape(pads), d = new Shape(dilations);
                int w = in[1], b = in.length > 2 ? in[2] : -1;
                yield v -> Conv2d.conv2d(v[x], v[w], b < 0 ? null : v[b], s, p, d, groups).singletonOrThrow();
            }
            case "BatchNormalization" -> {
                float eps = node.real("epsilon", 1e-5f);
                int scale = in[1], bias = in[2], mean = in[3], var = in[4];
                // axis -1 is DJL's way to PyTorch's own batch_norm (channels on axis 1), without a transpose
                yield v -> BatchNorm.batchNorm(v[x], v[mean], v[var], v[scale], v[bias], -1, 0.1f, eps, false).singletonOrThrow();
            }
            case "Relu" -> v -> Activation.relu(v[x]);
            case "Sigmoid" -> v -> Activation.sigmoid(v[x]);
            case "Tanh" -> v -> Activation.tanh(v[x]);
            case "LeakyRelu" -> {
                float alpha = node.real("alpha", 0.01f);
                yield v -> Activation.leakyRelu(v[x], alpha);
            }
            case "Clip" -> {
                float lo = scalar(node, 1, scalars), hi = scalar(node, 2, scalars);
                yield v -> v[x].clip(lo, hi);
            }
            case "MaxPool" -> {
                Shape k = new Shape(node.ints("kernel_shape")), s = new Shape(node.ints("strides", 1, 1)), p = new Shape(symmetricPads(node));
                boolean ceil = node.integer("ceil_mode", 0) != 0;
                yield v -> Pool.maxPool2d(v[x], k, s, p, ceil);
            }
            case "AveragePool" -> {
                Shape k = new Shape(node.ints("kernel_shape")), s = new Shape(node.ints("strides", 1, 1)), p = new Shape(symmetricPads(node));
                boolean ceil = node.integer("ceil_mode", 0) != 0, countPad = node.integer("count_include_pad", 0) != 0;
                yield v -> Pool.avgPool2d(v[x], k, s, p, ceil, countPad);
            }
            case "GlobalAveragePool" -> v -> {
                Shape shape = v[x].getShape();
                return Pool.globalAvgPool2d(v[x]).reshape(shape.get(0), shape.get(1), 1, 1);
            };
            case "Flatten" -> {
                if (node.integer("axis", 1) != 1) throw unsupported(node, "axis other than 1");
                yield v -> v[x].reshape(v[x].getShape().get(0), -1);
            }
            case "Gemm" -> {
                if (node.integer("transA", 0) != 0 || node.integer("transB", 0) != 1
                        || node.real("alpha", 1f) != 1f || node.real("beta", 1f) != 1f) {
                    throw unsupported(node, "other than x·Wᵀ + b");
                }
                int w = in[1], b = in.length > 2 ? in[2] : -1;
                yield v -> Linear.linear(v[x], v[w], b < 0 ? null : v[b]).singletonOrThrow();
            }
            case "Add", "Sum" -> v -> {
                NDArray sum = v[in[0]].add(v[in[1]]);
                for (int k = 2; k < in.length; k++) sum = sum.add(v[in[k]]);
                return sum;
            };
            case "Concat" -> {
                int axis = (int) node.integer("axis", 1);
                yield v -> {
                    NDList parts = new NDList(in.length);
                    for (int k : in) parts.add(v[k]);
                    return NDArrays.concat(parts, axis);
                };
            }
            case "Softmax" -> {
                int axis = (int) node.integer("axis", -1);
                yield v -> v[x].softmax(axis);
            }
            case "MatMul" -> v -> v[in[0]].matMul(v[in[1]]);
            case "Identity" -> v -> v[x];
            default -> throw unsupported(node, "this operator");
        };
    }

    /** PyTorch pads both ends alike: ONNX's [top, left, bottom, right] must be [p, q, p, q]. */
    private static long[] symmetricPads(OnnxGraph.NodeDef node) {
        long[] pads = node.ints("pads", 0, 0, 0, 0);
        if (pads.length != 4 || pads[0] != pads[2] || pads[1] != pads[3]) throw unsupported(node, "uneven padding " + Arrays.toString(pads));
        return new long[] {pads[0], pads[1]};
    }

    private static float scalar(OnnxGraph.NodeDef node, int input, Map<String, float[]> scalars) {
        float[] value = input < node.inputs().size() ? scalars.get(node.inputs().get(input)) : null;
        if (value == null || value.length != 1) throw unsupported(node, "a bound that is not a constant scalar");
        return value[0];
    }

    private static IllegalArgumentException unsupported(OnnxGraph.NodeDef node, String what) {
        return new IllegalArgumentException("the PyTorch runner does not take " + what + " (" + node.opType() + " node " + node.name() + ")");
    }

    @Override
    public Object run() {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            values[inputSlot] = input;
            for (int k = 0; k < steps.length; k++) values[outSlots[k]] = steps[k].apply(values);
            output = values[outputSlot].toFloatArray();
            Arrays.fill(values, inputSlot + 1, values.length, null);   // freed by the scope
            return output;
        }
    }

    @Override
    public float[] outputHead(int n) {
        if (output.length == 0) run();
        return Arrays.copyOf(output, Math.min(n, output.length));
    }

    @Override
    public void close() {
        manager.close();
    }
}
