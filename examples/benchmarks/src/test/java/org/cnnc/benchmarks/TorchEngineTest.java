package org.cnnc.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.cnnc.compiler.Pipeline;
import org.cnnc.compiler.export.OnnxExport;
import org.cnnc.compiler.ir.Graph;
import org.cnnc.compiler.weights.Weights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The PyTorch runner against ONNX Runtime on the same ONNX export: two independent engines, the
 * same seeded weights (He initialisation) and seeded normal input. Between them the networks use
 * every operator the benchmarks' networks export (conv with and without bias, depthwise conv,
 * batch norm, relu, relu6 as clip, sigmoid, max and average pooling, global average pooling,
 * adaptive average pooling as products, flatten, gemm, residual add); the large ones run at
 * reduced size.
 */
class TorchEngineTest {
    /** max |torch − ort| / max |ort| over the whole output: float32 sums in different orders. */
    static final double TOLERANCE = 1e-4;

    @TempDir
    static Path dir;

    static Stream<Arguments> networks() {
        return Stream.of(
                Arguments.of("lenet5", Map.of(), 2),
                Arguments.of("cifar_resnet", Map.of(), 1),
                Arguments.of("resnet50", Map.of("size", "64", "classes", "10"), 2),
                Arguments.of("mobilenet_v2", Map.of("size", "64", "classes", "10"), 1),
                Arguments.of("vgg16", Map.of("size", "32", "hidden", "256", "classes", "10"), 1));
    }

    @ParameterizedTest(name = "{0} {1} batch {2}")
    @MethodSource("networks")
    void agreesWithOnnxRuntime(String network, Map<String, String> params, int batch) throws IOException {
        Path onnx = export(network, params);
        try (TorchEngine torch = TorchEngine.open(onnx, batch, 2); OrtEngine ort = OrtEngine.open(onnx, batch, 2)) {
            float[] t = (float[]) torch.run();
            ort.run();
            float[] o = ort.outputHead(Integer.MAX_VALUE);
            assertEquals(o.length, t.length, "output size");
            double scale = 0, diff = 0;
            for (int i = 0; i < o.length; i++) {
                scale = Math.max(scale, Math.abs(o[i]));
                diff = Math.max(diff, Math.abs(o[i] - t[i]));
            }
            assertTrue(scale > 0, "ONNX Runtime's output is all zeros");
            assertTrue(diff <= TOLERANCE * scale, network + ": max difference " + diff + " against a largest output of " + scale);
            // a second call gives the same result: nothing left over from the first
            float[] again = (float[]) torch.run();
            assertEquals(t.length, again.length);
            for (int i = 0; i < t.length; i++) assertEquals(t[i], again[i], 0f, "second call, output " + i);
        }
    }

    @Test
    void readsTheExportsNodesInitializersAndInputShape() throws IOException {
        Graph graph = Pipeline.shaped(Pipeline.source("lenet5"), null, Map.of()).graph();
        OnnxGraph read = OnnxGraph.read(export("lenet5", Map.of()));
        assertEquals(OnnxExport.INPUT, read.input());
        assertEquals(OnnxExport.OUTPUT, read.output());
        assertEquals(-1, read.inputShape()[0], "the batch is symbolic");
        assertEquals(graph.input().shape().dims(), Stream.of(1, 2, 3).map(i -> (int) read.inputShape()[i]).toList());
        assertEquals(graph.nodes().size() - 1, read.nodes().size(), "one ONNX node per layer here");
        OnnxGraph.NodeDef conv = read.nodes().get(0);
        assertEquals("Conv", conv.opType());
        assertEquals(5, conv.ints("kernel_shape")[0]);
        OnnxGraph.Tensor w = read.initializers().get(conv.inputs().get(1));
        assertEquals(w.floats().length, Math.toIntExact(java.util.Arrays.stream(w.dims()).reduce(1, Math::multiplyExact)));
    }

    private static Path export(String network, Map<String, String> params) throws IOException {
        Path file = dir.resolve(network + "-" + Integer.toHexString(params.hashCode()) + ".onnx");
        if (Files.exists(file)) return file;
        Graph graph = Pipeline.shaped(Pipeline.source(network), null, params).graph();
        try (OutputStream out = Files.newOutputStream(file)) {
            OnnxExport.write(graph, Weights.heInit(graph, 7), out);
        }
        return file;
    }
}
