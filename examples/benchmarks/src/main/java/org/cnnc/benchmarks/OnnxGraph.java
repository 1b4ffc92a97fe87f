package org.cnnc.benchmarks;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The part of an ONNX model that {@code cnnc export} writes and {@link TorchEngine} runs: nodes in
 * order with their attributes, float and int64 initializers, and the input's name and shape
 * (the symbolic batch dimension as -1). A reader of the protocol buffer's wire format for those
 * fields alone; every other field is skipped.
 */
public record OnnxGraph(List<NodeDef> nodes, Map<String, Tensor> initializers, String input, long[] inputShape, String output) {

    /** A node: its operator, value names in and out, and attributes by name. */
    public record NodeDef(String opType, String name, List<String> inputs, List<String> outputs, Map<String, Attribute> attributes) {
        /** The integer attribute {@code name}, or {@code otherwise}. */
        long integer(String name, long otherwise) {
            Attribute a = attributes.get(name);
            return a == null ? otherwise : a.i();
        }

        /** The float attribute {@code name}, or {@code otherwise}. */
        float real(String name, float otherwise) {
            Attribute a = attributes.get(name);
            return a == null ? otherwise : a.f();
        }

        /** The integer-list attribute {@code name}, or {@code otherwise}. */
        long[] ints(String name, long... otherwise) {
            Attribute a = attributes.get(name);
            return a == null ? otherwise : a.ints();
        }
    }

    /** An attribute: whichever of its value fields the node set. */
    public record Attribute(float f, long i, String s, long[] ints) {}

    /** An initializer: its dimensions and values (floats, or int64 for shapes and pads). */
    public record Tensor(long[] dims, float[] floats, long[] longs) {}

    // onnx.proto field numbers
    private static final int MODEL_GRAPH = 7;
    private static final int GRAPH_NODE = 1, GRAPH_INITIALIZER = 5, GRAPH_INPUT = 11, GRAPH_OUTPUT = 12;
    private static final int NODE_INPUT = 1, NODE_OUTPUT = 2, NODE_NAME = 3, NODE_OP_TYPE = 4, NODE_ATTRIBUTE = 5;
    private static final int ATTR_NAME = 1, ATTR_F = 2, ATTR_I = 3, ATTR_S = 4, ATTR_INTS = 8;
    private static final int TENSOR_DIMS = 1, TENSOR_DATA_TYPE = 2, TENSOR_FLOAT_DATA = 4, TENSOR_INT64_DATA = 7,
            TENSOR_NAME = 8, TENSOR_RAW_DATA = 9;
    private static final int FLOAT = 1, INT64 = 7;
    private static final int VALUE_NAME = 1, VALUE_TYPE = 2, TYPE_TENSOR = 1, TENSOR_SHAPE = 2, SHAPE_DIM = 1, DIM_VALUE = 1;

    /** Reads {@code file}. */
    public static OnnxGraph read(Path file) throws IOException {
        return parse(Files.readAllBytes(file));
    }

    /** Parses a serialised ModelProto. */
    public static OnnxGraph parse(byte[] model) {
        Wire m = new Wire(ByteBuffer.wrap(model));
        Wire graph = null;
        while (m.more()) {
            if (m.field() == MODEL_GRAPH) graph = m.message();
            else m.skip();
        }
        if (graph == null) throw new IllegalArgumentException("the model has no graph");
        List<NodeDef> nodes = new ArrayList<>();
        Map<String, Tensor> initializers = new LinkedHashMap<>();
        String input = null, output = null;
        long[] inputShape = null;
        while (graph.more()) {
            switch (graph.field()) {
                case GRAPH_NODE -> nodes.add(node(graph.message()));
                case GRAPH_INITIALIZER -> tensor(graph.message(), initializers);
                case GRAPH_INPUT -> {
                    Wire v = graph.message();
                    if (input != null) throw new IllegalArgumentException("the graph has more than one input");
                    while (v.more()) {
                        switch (v.field()) {
                            case VALUE_NAME -> input = v.string();
                            case VALUE_TYPE -> inputShape = shapeOf(v.message());
                            default -> v.skip();
                        }
                    }
                }
                case GRAPH_OUTPUT -> {
                    Wire v = graph.message();
                    while (v.more()) {
                        if (v.field() == VALUE_NAME) output = v.string();
                        else v.skip();
                    }
                }
                default -> graph.skip();
            }
        }
        if (input == null || inputShape == null || output == null) throw new IllegalArgumentException("the graph names no input or output");
        return new OnnxGraph(List.copyOf(nodes), initializers, input, inputShape, output);
    }

    private static NodeDef node(Wire n) {
        String op = null, name = "";
        List<String> in = new ArrayList<>(), out = new ArrayList<>();
        Map<String, Attribute> attributes = new LinkedHashMap<>();
        while (n.more()) {
            switch (n.field()) {
                case NODE_INPUT -> in.add(n.string());
                case NODE_OUTPUT -> out.add(n.string());
                case NODE_NAME -> name = n.string();
                case NODE_OP_TYPE -> op = n.string();
                case NODE_ATTRIBUTE -> {
                    Wire a = n.message();
                    String key = null, s = null;
                    float f = 0;
                    long i = 0;
                    List<Long> ints = new ArrayList<>();
                    while (a.more()) {
                        switch (a.field()) {
                            case ATTR_NAME -> key = a.string();
                            case ATTR_F -> f = Float.intBitsToFloat(a.fixed32());
                            case ATTR_I -> i = a.varint();
                            case ATTR_S -> s = a.string();
                            case ATTR_INTS -> a.varints(ints);
                            default -> a.skip();
                        }
                    }
                    attributes.put(key, new Attribute(f, i, s, ints.stream().mapToLong(Long::longValue).toArray()));
                }
                default -> n.skip();
            }
        }
        return new NodeDef(op, name, List.copyOf(in), List.copyOf(out), attributes);
    }

    private static void tensor(Wire t, Map<String, Tensor> into) {
        List<Long> dims = new ArrayList<>(), longs = new ArrayList<>();
        List<Float> floats = new ArrayList<>();
        String name = null;
        int type = 0;
        ByteBuffer raw = null;
        while (t.more()) {
            switch (t.field()) {
                case TENSOR_DIMS -> t.varints(dims);
                case TENSOR_DATA_TYPE -> type = (int) t.varint();
                case TENSOR_FLOAT_DATA -> t.fixed32s(floats);
                case TENSOR_INT64_DATA -> t.varints(longs);
                case TENSOR_NAME -> name = t.string();
                case TENSOR_RAW_DATA -> raw = t.bytes().order(ByteOrder.LITTLE_ENDIAN);
                default -> t.skip();
            }
        }
        long[] d = dims.stream().mapToLong(Long::longValue).toArray();
        if (type == FLOAT) {
            float[] values;
            if (raw != null) {
                values = new float[raw.remaining() / Float.BYTES];
                raw.asFloatBuffer().get(values);
            } else {
                values = new float[floats.size()];
                for (int k = 0; k < values.length; k++) values[k] = floats.get(k);
            }
            into.put(name, new Tensor(d, values, null));
        } else if (type == INT64) {
            long[] values;
            if (raw != null) {
                values = new long[raw.remaining() / Long.BYTES];
                raw.asLongBuffer().get(values);
            } else {
                values = longs.stream().mapToLong(Long::longValue).toArray();
            }
            into.put(name, new Tensor(d, null, values));
        } else {
            throw new IllegalArgumentException("initializer " + name + " has data type " + type + ", not float or int64");
        }
    }

    /** A TypeProto's tensor shape; a symbolic dimension is -1. */
    private static long[] shapeOf(Wire type) {
        List<Long> dims = new ArrayList<>();
        while (type.more()) {
            if (type.field() != TYPE_TENSOR) {
                type.skip();
                continue;
            }
            Wire tensor = type.message();
            while (tensor.more()) {
                if (tensor.field() != TENSOR_SHAPE) {
                    tensor.skip();
                    continue;
                }
                Wire shape = tensor.message();
                while (shape.more()) {
                    if (shape.field() != SHAPE_DIM) {
                        shape.skip();
                        continue;
                    }
                    Wire dim = shape.message();
                    long value = -1;
                    while (dim.more()) {
                        if (dim.field() == DIM_VALUE) value = dim.varint();
                        else dim.skip();
                    }
                    dims.add(value);
                }
            }
        }
        return dims.stream().mapToLong(Long::longValue).toArray();
    }

    /** A cursor over one message's fields: {@link #field} reads a key, then one read or {@link #skip} takes its value. */
    private static final class Wire {
        private final ByteBuffer in;
        private int wireType;

        Wire(ByteBuffer in) {
            this.in = in;
        }

        boolean more() {
            return in.hasRemaining();
        }

        int field() {
            long key = varint();
            wireType = (int) (key & 7);
            return (int) (key >>> 3);
        }

        long varint() {
            long value = 0;
            for (int shift = 0; ; shift += 7) {
                byte b = in.get();
                value |= (long) (b & 0x7f) << shift;
                if (b >= 0) return value;
            }
        }

        int fixed32() {
            return in.order(ByteOrder.LITTLE_ENDIAN).getInt();
        }

        ByteBuffer bytes() {
            int n = Math.toIntExact(varint());
            ByteBuffer slice = in.slice(in.position(), n);
            in.position(in.position() + n);
            return slice;
        }

        String string() {
            ByteBuffer b = bytes();
            byte[] a = new byte[b.remaining()];
            b.get(a);
            return new String(a, StandardCharsets.UTF_8);
        }

        Wire message() {
            return new Wire(bytes());
        }

        /** A repeated integer field, packed (one run) or not (one value). */
        void varints(List<Long> into) {
            if (wireType == 2) {
                Wire run = message();
                while (run.more()) into.add(run.varint());
            } else {
                into.add(varint());
            }
        }

        /** A repeated float field, packed or not. */
        void fixed32s(List<Float> into) {
            if (wireType == 2) {
                ByteBuffer run = bytes().order(ByteOrder.LITTLE_ENDIAN);
                while (run.hasRemaining()) into.add(run.getFloat());
            } else {
                into.add(Float.intBitsToFloat(fixed32()));
            }
        }

        void skip() {
            switch (wireType) {
                case 0 -> varint();
                case 1 -> in.position(in.position() + 8);
                case 2 -> bytes();
                case 5 -> in.position(in.position() + 4);
                default -> throw new IllegalArgumentException("unsupported wire type " + wireType);
            }
        }
    }
}
