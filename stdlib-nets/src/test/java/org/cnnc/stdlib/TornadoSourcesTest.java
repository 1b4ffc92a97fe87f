package org.cnnc.stdlib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.palantir.javapoet.JavaFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.cnnc.compiler.Pipeline;
import org.cnnc.compiler.emit.tornado.SubsetChecker;
import org.cnnc.compiler.emit.tornado.TornadoEmitter;
import org.cnnc.compiler.emit.tornado.TornadoFallback;
import org.cnnc.compiler.optimize.Optimizer;
import org.cnnc.compiler.shape.ShapedGraph;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The tornadovm target's sources of every stdlib network at full size, fused and unfused:
 * valid Java by javac's own parser, the TornadoVM kernels inside the subset TornadoVM compiles,
 * and the JVM kernels the same methods in the JVM dialect.
 */
class TornadoSourcesTest {

    static Stream<Arguments> networks() throws IOException {
        try (InputStream in = TornadoSourcesTest.class.getResourceAsStream("/cnnc/stdlib/index.txt")) {
            List<String> names = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
            return names.stream().flatMap(n -> Stream.of(Arguments.of(n, 2), Arguments.of(n, 0)));
        }
    }

    @ParameterizedTest(name = "{0} -O{1}")
    @MethodSource("networks")
    void emitsValidJavaWithKernelsInTornadoVmsSubset(String name, int level) {
        ShapedGraph shaped = Pipeline.shaped(Pipeline.source(name), null, Map.of());
        TornadoEmitter.Output out = TornadoFallback.emit(shaped, new Optimizer.Settings(level, java.util.Set.of()), "Net");
        for (JavaFile f : out.all()) {
            assertEquals(List.of(), TornadoFallback.parseErrors(f.toString()), name + ": " + f.typeSpec().name() + " parses");
        }
        assertEquals(List.of(), SubsetChecker.check(out.kernels().toString()), name + ": kernels in the subset");
        assertEquals(TornadoFallback.normalisedKernels(out.kernels().toString()),
                TornadoFallback.normalisedKernels(out.jvmKernels().toString()), name + ": the JVM kernels are the same methods");
        String graph = out.taskGraph().toString();
        int kernels = count(out.kernels().toString(), "public static void k");
        assertTrue(kernels > 0);
        assertEquals(kernels, count(graph, "].task(\"k"), name + ": one task per kernel");
    }

    static int count(String text, String part) {
        int n = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) n++;
        return n;
    }
}
