package org.cnnc.stdlib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.cnnc.compiler.Pipeline;
import org.cnnc.compiler.emit.ModelNames;
import org.cnnc.compiler.emit.tornado.TornadoFallback;
import org.cnnc.compiler.optimize.Optimizer;
import org.cnnc.compiler.shape.ShapedGraph;
import org.cnnc.compiler.weights.Weights;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The tornadovm target where TornadoVM is absent, as on every machine these tests run on: the
 * model runs the JVM kernels (its backend says {@code jvm}) and agrees with the jvm target
 * built from the same network and weights, and with ONNX Runtime running the network's ONNX
 * export, within max |a − b| / max |b| ≤ 1e-4, at batch 1 and 3. Networks at reduced input
 * sizes; one of each kind (plain chain, residual, depthwise) plus ResNet-18, and the rest of the
 * stdlib with the environment variable {@code CNNC_TEST_TORNADO_ALL=1} (about three minutes more).
 */
class TornadoFallbackTest {
    static final double TOLERANCE = GeneratedModelTest.TOLERANCE;
    private static final Map<String, TornadoFallback.Built> CACHE = new ConcurrentHashMap<>();
    private static Path dir;

    static Stream<Arguments> networks() {
        boolean all = System.getenv("CNNC_TEST_TORNADO_ALL") != null;
        return GeneratedModelTest.networks().filter(a -> all
                || java.util.Set.of("lenet5", "cifar_resnet", "mobilenet_v2", "resnet18").contains((String) a.get()[0]));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("networks")
    void theFallbackAgreesWithTheJvmTargetAndOnnxRuntime(String name, Map<String, String> params) throws Exception {
        BuiltModels.Built jvm = BuiltModels.get(name, params);
        TornadoFallback.Built tornado = fallback(name, params);
        assertEquals("jvm", tornado.model().backend(), "no TornadoVM runtime here: the JVM kernels run");
        assertEquals("tornadovm", tornado.model().metadata().get("target"));
        for (int batch : new int[] {1, 3}) {
            float[] x = GeneratedModelTest.input(jvm.model().inputSize() * batch, 200 + batch);
            float[] expected = new float[jvm.model().outputSize() * batch];
            jvm.model().predict(x, expected, batch);
            float[] y = new float[tornado.model().outputSize() * batch];
            tornado.model().predict(x, y, batch);
            GeneratedModelTest.assertClose(expected, y, name + " batch " + batch + " against the jvm target");
            float[] ort = OnnxRuntimeReference.run(jvm.shaped().graph(), jvm.weights(), x, batch);
            GeneratedModelTest.assertClose(ort, y, name + " batch " + batch + " against ONNX Runtime");
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("networks")
    void everyGeneratedMethodFitsTheJitLimit(String name, Map<String, String> params) throws IOException {
        TornadoFallback.Built b = fallback(name, params);
        String base = TornadoFallback.PACKAGE.replace('.', '/') + "/" + ModelNames.className(b.model().name());
        for (String cls : new String[] {base + ".class", base + "JvmKernels.class"}) {
            Map<String, Integer> sizes = MethodSizes.of(Files.readAllBytes(b.classes().resolve(cls)));
            assertTrue(sizes.size() > 3, cls + " has methods");
            sizes.forEach((method, size) -> assertTrue(size < GeneratedSourceTest.HUGE_METHOD_LIMIT,
                    name + ": " + cls + " " + method + " has " + size + " bytes of bytecode"));
        }
    }

    /** The fallback of a stdlib network, with the weights BuiltModels gives the jvm target. */
    static TornadoFallback.Built fallback(String name, Map<String, String> params) {
        return CACHE.computeIfAbsent(name + params, key -> {
            try {
                ShapedGraph shaped = Pipeline.shaped(Pipeline.source(name), null, params);
                Weights weights = Weights.heInit(shaped.graph(), BuiltModels.WEIGHT_SEED);
                return TornadoFallback.build(shaped, weights, Optimizer.Settings.DEFAULT, ModelNames.className(shaped.graph().name()),
                        Files.createDirectories(dir().resolve(name + "-" + Integer.toHexString(params.hashCode()))), 2);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static synchronized Path dir() throws IOException {
        if (dir == null) dir = Files.createTempDirectory("cnnc-tornado-fallback");
        return dir;
    }

    @AfterAll
    static void closeModelsAndRemoveTheirClasses() throws IOException {
        CACHE.values().forEach(b -> b.model().close());
        if (dir == null) return;
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
