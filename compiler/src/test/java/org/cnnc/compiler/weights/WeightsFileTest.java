package org.cnnc.compiler.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.cnnc.compiler.Pipeline;
import org.cnnc.compiler.diag.CompileError;
import org.cnnc.compiler.diag.SourceFile;
import org.cnnc.compiler.ir.Graph;
import org.cnnc.runtime.weights.SafeTensorsWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WeightsFileTest {
    static final Graph NET = Pipeline.elaborate(new SourceFile("net.cnn", """
            network Net {
              input 3x8x8
              stem: conv(4, k=3, p=1, bias=false) -> bn1: bn -> relu -> head: fc(5)
            }
            """), null, Map.of());

    @TempDir
    Path dir;

    /** A state_dict as PyTorch writes it, num_batches_tracked included, with seeded values. */
    private SafeTensorsWriter stateDict() {
        Weights w = Weights.heInit(NET, 3);
        SafeTensorsWriter writer = new SafeTensorsWriter();
        writer.add("stem.weight", new int[] {4, 3, 3, 3}, w.get("stem.weight"));
        writer.add("bn1.weight", new int[] {4}, w.get("bn1.weight"));
        writer.add("bn1.bias", new int[] {4}, w.get("bn1.bias"));
        writer.add("bn1.running_mean", new int[] {4}, w.get("bn1.running_mean"));
        writer.add("bn1.running_var", new int[] {4}, w.get("bn1.running_var"));
        writer.add("head.weight", new int[] {5, 256}, w.get("head.weight"));
        writer.add("head.bias", new int[] {5}, w.get("head.bias"));
        return writer;
    }

    @Test
    void readsAStateDictAndIgnoresNumBatchesTracked() throws Exception {
        Path file = dir.resolve("w.safetensors");
        // num_batches_tracked is an I64 scalar in PyTorch; any dtype is accepted and ignored.
        stateDict().add("bn1.num_batches_tracked", new int[] {}, new float[] {1}).write(file);
        Weights w = WeightsFile.read(file, NET);
        assertArrayEquals(Weights.heInit(NET, 3).get("head.weight"), w.get("head.weight"));
        assertEquals(7, w.all().size());
    }

    @Test
    void writesWhatItReads() throws Exception {
        Path file = dir.resolve("w.safetensors");
        Weights original = Weights.heInit(NET, 11);
        WeightsFile.write(original, NET, file, Map.of("seed", "11"));
        Weights back = WeightsFile.read(file, NET);
        for (String name : original.all().keySet()) assertArrayEquals(original.get(name), back.get(name), name);
    }

    @Test
    void rejectsAMissingTensorByName() throws Exception {
        Path file = dir.resolve("w.safetensors");
        SafeTensorsWriter w = new SafeTensorsWriter();
        Weights init = Weights.heInit(NET, 3);
        w.add("stem.weight", new int[] {4, 3, 3, 3}, init.get("stem.weight"));
        w.write(file);
        CompileError e = assertThrows(CompileError.class, () -> WeightsFile.read(file, NET));
        assertTrue(e.getMessage().contains("missing tensor 'bn1.running_var' [4]"), e.getMessage());
        assertTrue(e.getMessage().contains("missing tensor 'head.weight' [5, 256]"), e.getMessage());
    }

    @Test
    void rejectsAnExtraTensorByName() throws Exception {
        Path file = dir.resolve("w.safetensors");
        stateDict().add("head2.weight", new int[] {2}, new float[] {1, 2}).write(file);
        CompileError e = assertThrows(CompileError.class, () -> WeightsFile.read(file, NET));
        assertTrue(e.getMessage().contains("extra tensor 'head2.weight' that the network does not have"), e.getMessage());
    }

    @Test
    void rejectsAMisshapenTensorByName() throws Exception {
        Path file = dir.resolve("w.safetensors");
        SafeTensorsWriter w = new SafeTensorsWriter();
        Weights init = Weights.heInit(NET, 3);
        for (var e : init.all().entrySet()) {
            int[] shape = e.getKey().equals("head.weight") ? new int[] {256, 5}
                    : StateDictShapes.of(NET, e.getKey());
            w.add(e.getKey(), shape, e.getValue());
        }
        w.write(file);
        CompileError e = assertThrows(CompileError.class, () -> WeightsFile.read(file, NET));
        assertTrue(e.getMessage().contains("tensor 'head.weight' has shape [256, 5] but the network needs [5, 256]"),
                e.getMessage());
    }

    @Test
    void rejectsANonFloatTensorByName() throws Exception {
        // stem.weight stored as I32 (4 bytes an element, like F32, so only the dtype is wrong).
        StringBuilder header = new StringBuilder("{");
        long offset = 0;
        java.io.ByteArrayOutputStream data = new java.io.ByteArrayOutputStream();
        for (var t : org.cnnc.compiler.shape.StateDict.tensors(NET)) {
            long bytes = 4 * t.elements();
            if (header.length() > 1) header.append(',');
            header.append('"').append(t.name()).append("\":{\"dtype\":\"")
                    .append(t.name().equals("stem.weight") ? "I32" : "F32").append("\",\"shape\":")
                    .append(t.shape()).append(",\"data_offsets\":[").append(offset).append(',')
                    .append(offset + bytes).append("]}");
            data.write(new byte[(int) bytes]);
            offset += bytes;
        }
        header.append('}');
        byte[] h = header.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        java.nio.ByteBuffer file = java.nio.ByteBuffer.allocate(8 + h.length + data.size()).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        file.putLong(h.length).put(h).put(data.toByteArray());
        Path path = dir.resolve("w.safetensors");
        java.nio.file.Files.write(path, file.array());
        CompileError e = assertThrows(CompileError.class, () -> WeightsFile.read(path, NET));
        assertTrue(e.getMessage().contains("tensor 'stem.weight' is I32; weights must be F32 (or F16/BF16)"), e.getMessage());
    }

    @Test
    void rejectsAMissingFile() {
        CompileError e = assertThrows(CompileError.class, () -> WeightsFile.read(dir.resolve("nope.safetensors"), NET));
        assertTrue(e.render().contains("nope.safetensors: error: no such weights file"), e.render());
    }

    @Test
    void rejectsAFileThatIsNotSafetensors() throws Exception {
        Path file = dir.resolve("w.safetensors");
        java.nio.file.Files.writeString(file, "this is not a weights file at all");
        CompileError e = assertThrows(CompileError.class, () -> WeightsFile.read(file, NET));
        assertTrue(e.getMessage().startsWith("cannot read the weights"), e.getMessage());
    }
}
