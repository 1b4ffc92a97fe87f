package org.cnnc.stdlib;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.cnnc.compiler.Pipeline;
import org.cnnc.compiler.pack.ModelBuilder;
import org.cnnc.compiler.shape.ShapedGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Properties of the emitted code: method sizes the JIT accepts, determinism, readable provenance. */
class GeneratedSourceTest {
    /** HotSpot does not compile a method whose bytecode is longer than this (-XX:HugeMethodLimit). */
    static final int HUGE_METHOD_LIMIT = 8000;

    @ParameterizedTest
    @ValueSource(strings = {"densenet121", "resnet101", "googlenet", "mobilenet_v2"})
    void everyGeneratedMethodFitsTheJitLimit(String name) throws Exception {
        // The largest networks of the stdlib, at full size: method sizes do not depend on the weights' values.
        BuiltModels.Built b = BuiltModels.get(name, Map.of("size", "32", "classes", "10"));
        try (JarFile jar = new JarFile(b.jar().toFile())) {
            String cls = jar.getManifest().getMainAttributes().getValue(ModelBuilder.MODEL_CLASS);
            JarEntry entry = jar.getJarEntry(cls.replace('.', '/') + ".class");
            Map<String, Integer> sizes = MethodSizes.of(jar.getInputStream(entry).readAllBytes());
            assertTrue(sizes.keySet().stream().filter(m -> m.matches("k\\d+_.*")).count() > 20, "found the kernel methods");
            sizes.forEach((method, size) -> assertTrue(size < HUGE_METHOD_LIMIT,
                    name + ": " + method + " has " + size + " bytes of bytecode"));
        }
    }

    @Test
    void emittingTwiceGivesIdenticalSource(@TempDir Path dir) throws Exception {
        ShapedGraph shaped = Pipeline.shaped(Pipeline.source("googlenet"), null, Map.of());
        var request = new ModelBuilder.Request(shaped, null, "p", "GoogLeNet", Map.of("network", "GoogLeNet"));
        List<Path> first = ModelBuilder.emitSources(request, dir.resolve("a"));
        List<Path> second = ModelBuilder.emitSources(
                new ModelBuilder.Request(Pipeline.shaped(Pipeline.source("googlenet"), null, Map.of()), null, "p",
                        "GoogLeNet", Map.of("network", "GoogLeNet")), dir.resolve("b"));
        assertEquals(first.size(), second.size());
        for (int i = 0; i < first.size(); i++) {
            assertArrayEquals(Files.readAllBytes(first.get(i)), Files.readAllBytes(second.get(i)));
        }
    }

    @Test
    void eachKernelNamesItsLayerAndSourceLine(@TempDir Path dir) throws Exception {
        ShapedGraph shaped = Pipeline.shaped(Pipeline.source("resnet18"), null, Map.of());
        var request = new ModelBuilder.Request(shaped, null, "p", "ResNet18", Map.of());
        String source = Files.readString(ModelBuilder.emitSources(request, dir).get(0));
        assertTrue(source.contains("layer1.0.conv1: conv 64 3×3 p1 no bias + bn + relu, 64×56×56 → 64×56×56 (stdlib:resnet18.cnn line"),
                "kernel comment names the layer, what is fused into it, its shapes and its line");
        assertTrue(source.contains("Fused into this kernel: layer1.0.bn1, layer1.0.2."), "names the fused layers");
        assertFalse(source.contains("TODO"));
    }
}
