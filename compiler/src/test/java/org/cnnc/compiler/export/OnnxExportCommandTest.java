package org.cnnc.compiler.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.cnnc.compiler.cli.Main;
import org.cnnc.compiler.diag.CompileError;
import org.cnnc.compiler.ir.Graph;
import org.cnnc.compiler.shape.StateDict;
import org.cnnc.compiler.weights.Weights;
import org.cnnc.compiler.weights.WeightsFile;
import org.cnnc.runtime.weights.SafeTensorsWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cnnc export}: what it writes, what it says, and what it leaves behind when it fails. */
class OnnxExportCommandTest {
    private static final String NET = """
            network Small(width = 4) {
              input 3x8x8
              conv(width, k=3, p=1) -> bn -> relu -> maxpool(2) -> fc(5)
            }
            """;

    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {}

    private Run cnnc(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    private Path source() throws IOException {
        Path src = dir.resolve("small.cnn");
        Files.writeString(src, NET);
        return src;
    }

    private List<String> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void writesAModelWithSeed42WeightsAndSaysTheyAreRandom() throws IOException, OrtException {
        Path model = dir.resolve("small.onnx");
        Run r = cnnc("export", source().toString(), "-P", "width=6", "-o", model.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("random He-initialised weights (seed 42)"), r.err());
        assertTrue(r.out().contains("Small(width=6): wrote"), r.out());
        assertEquals(List.of("small.cnn", "small.onnx"), files());

        Graph graph = OnnxTesting.compile(NET.replace("width = 4", "width = 6"));
        Weights weights = Weights.heInit(graph, 42);
        try (OrtSession session = OnnxTesting.session(Files.readAllBytes(model))) {
            float[] input = OnnxTesting.randomInput(graph, 2, 5);
            double err = OnnxTesting.relativeError(OnnxTesting.run(session, graph, input, 2),
                    Reference.run(graph, weights, input, 2));
            assertTrue(err <= OnnxTesting.TOLERANCE, "relative error " + err);
        }
        String doc = WireReader.one(WireReader.parse(Files.readAllBytes(model)), 6).string();
        assertTrue(doc.contains("Small(width=6)") && doc.contains("seed 42"), doc);
    }

    @Test
    void seedChangesTheWeights() throws IOException {
        Path a = dir.resolve("a.onnx"), b = dir.resolve("b.onnx");
        assertEquals(0, cnnc("export", source().toString(), "--seed", "1", "-o", a.toString()).code());
        assertEquals(0, cnnc("export", source().toString(), "--seed", "2", "-o", b.toString()).code());
        assertEquals(Files.size(a), Files.size(b));
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(a), Files.readAllBytes(b)));
    }

    @Test
    void exportsTheWeightsOfASafetensorsFile() throws IOException, OrtException {
        Graph graph = OnnxTesting.compile(NET);
        Weights trained = Weights.heInit(graph, 9);
        Path file = dir.resolve("w.safetensors");
        WeightsFile.write(trained, graph, file, Map.of("format", "pt"));
        Path model = dir.resolve("small.onnx");
        Run r = cnnc("export", source().toString(), "--weights", file.toString(), "-o", model.toString());
        assertEquals(0, r.code(), r.err());
        assertFalse(r.err().contains("random"), r.err());
        try (OrtSession session = OnnxTesting.session(Files.readAllBytes(model))) {
            float[] input = OnnxTesting.randomInput(graph, 3, 11);
            double err = OnnxTesting.relativeError(OnnxTesting.run(session, graph, input, 3),
                    Reference.run(graph, trained, input, 3));
            assertTrue(err <= OnnxTesting.TOLERANCE, "relative error " + err);
        }
    }

    @Test
    void aMisshapenWeightIsAnErrorNamingItAndWritesNothing() throws IOException {
        Path file = dir.resolve("w.safetensors");
        Graph graph = OnnxTesting.compile(NET);
        SafeTensorsWriter writer = new SafeTensorsWriter();
        for (StateDict.Tensor t : StateDict.tensors(graph)) {
            int[] shape = t.shape().stream().mapToInt(Integer::intValue).toArray();
            if (t.name().equals("0.weight")) shape = new int[] {4, 3, 1, 1};
            writer.add(t.name(), shape, new float[Math.toIntExact(java.util.Arrays.stream(shape).asLongStream()
                    .reduce(1, (a, b) -> a * b))]);
        }
        writer.write(file);
        Path model = dir.resolve("small.onnx");
        Run r = cnnc("export", source().toString(), "--weights", file.toString(), "-o", model.toString());
        assertEquals(Main.EXIT_INPUT_ERROR, r.code());
        assertTrue(r.err().contains("'0.weight'"), r.err());
        assertEquals(List.of("small.cnn", "w.safetensors"), files());
    }

    @Test
    void aNetworkErrorLeavesNoFile() throws IOException {
        Path bad = dir.resolve("bad.cnn");
        Files.writeString(bad, "network Bad {\n  input 3x4x4\n  conv(4, k=7)\n}\n");
        Run r = cnnc("export", bad.toString(), "-o", dir.resolve("bad.onnx").toString());
        assertEquals(Main.EXIT_INPUT_ERROR, r.code());
        assertTrue(r.err().contains("bad.cnn:3:"), r.err());
        assertEquals(List.of("bad.cnn"), files());
    }

    @Test
    void aMissingOutputDirectoryIsAClearError() throws IOException {
        Run r = cnnc("export", source().toString(), "-o", dir.resolve("no/such/dir/m.onnx").toString());
        assertEquals(Main.EXIT_INPUT_ERROR, r.code());
        assertTrue(r.err().contains("does not exist"), r.err());
    }

    @Test
    void aFailureWhileWritingKeepsTheOldFileAndRemovesTheTemporaryOne() throws IOException {
        Path target = dir.resolve("m.onnx");
        Files.write(target, new byte[] {1, 2, 3});
        assertThrows(CompileError.class, () -> AtomicFile.write(target, out -> {
            out.write(new byte[100_000]);
            throw new IOException("disk full");
        }));
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(target));
        assertEquals(List.of("m.onnx"), files());

        assertEquals(2, AtomicFile.write(target, out -> out.write(new byte[] {7, 8})));
        assertArrayEquals(new byte[] {7, 8}, Files.readAllBytes(target));
        assertEquals(List.of("m.onnx"), files());
    }
}
