package org.cnnc.stdlib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.cnnc.compiler.optimize.Optimizer;
import org.cnnc.compiler.reference.ReferenceInterpreter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every stdlib network compiled to a jar agrees with ONNX Runtime running its ONNX export, and
 * with the reference interpreter, on seeded random inputs and seeded He weights (BatchNorm
 * statistics included): max |a − b| / max |b| ≤ 1e-4, batch 1 and batch 3.
 * ImageNet networks run at reduced input sizes (and classifier widths), which keeps every
 * layer and name of the full network.
 */
class GeneratedModelTest {
    static final double TOLERANCE = 1e-4;

    static Stream<Arguments> networks() {
        return Stream.of(
                Arguments.of("lenet5", Map.of()),
                Arguments.of("cifar_resnet", Map.of()),
                Arguments.of("alexnet", Map.of("size", "64", "hidden", "256", "classes", "10")),
                Arguments.of("vgg11", Map.of("size", "32", "hidden", "256", "classes", "10")),
                Arguments.of("vgg16", Map.of("size", "32", "hidden", "256", "classes", "10")),
                Arguments.of("nin", Map.of("size", "96")),
                Arguments.of("googlenet", Map.of("size", "32", "classes", "10")),
                Arguments.of("resnet18", Map.of("size", "32", "classes", "10")),
                Arguments.of("resnet34", Map.of("size", "32", "classes", "10")),
                Arguments.of("resnet50", Map.of("size", "32", "classes", "10")),
                Arguments.of("resnet101", Map.of("size", "32", "classes", "10")),
                Arguments.of("densenet121", Map.of("size", "32", "classes", "10")),
                Arguments.of("mobilenet_v1", Map.of("size", "32", "classes", "10")),
                Arguments.of("mobilenet_v2", Map.of("size", "32", "classes", "10")));
    }

    /**
     * The unfused build (-O0) and the fused build (-O2) each agree with ONNX Runtime at batch 1
     * and 3; the fused build also agrees with the reference interpreter (batch 1: it is slow).
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("networks")
    void agreesWithOnnxRuntimeAndTheReferenceInterpreter(String name, Map<String, String> params) throws Exception {
        BuiltModels.Built unfused = BuiltModels.get(name, params, Optimizer.Settings.NONE);
        BuiltModels.Built fused = BuiltModels.get(name, params, Optimizer.Settings.DEFAULT);
        for (int batch : new int[] {1, 3}) {
            float[] x = input(fused.model().inputSize() * batch, 100 + batch);
            float[] ort = OnnxRuntimeReference.run(fused.shaped().graph(), fused.weights(), x, batch);
            for (BuiltModels.Built b : List.of(unfused, fused)) {
                float[] y = new float[b.model().outputSize() * batch];
                b.model().predict(x, y, batch);
                assertClose(ort, y, name + " " + b.model().metadata().getOrDefault("optimization", "")
                        + " batch " + batch + " against ONNX Runtime");
                if (b == fused && batch == 1) {
                    float[] reference = ReferenceInterpreter.run(b.shaped().graph(), b.weights(), x, batch);
                    assertClose(reference, y, name + " batch 1 against the reference interpreter");
                }
            }
        }
    }

    static float[] input(int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) rnd.nextGaussian();
        return x;
    }

    /** max |a − b| / max |b| ≤ TOLERANCE, and the outputs are not trivially zero. */
    static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": output length");
        double maxDiff = 0, maxRef = 0;
        for (int i = 0; i < expected.length; i++) {
            assertTrue(Float.isFinite(actual[i]), what + ": output " + i + " is " + actual[i]);
            maxDiff = Math.max(maxDiff, Math.abs(expected[i] - actual[i]));
            maxRef = Math.max(maxRef, Math.abs(expected[i]));
        }
        assertTrue(maxRef > 1e-6, what + ": the reference output is all zeros, which proves nothing");
        assertTrue(maxDiff / maxRef <= TOLERANCE,
                what + ": max |a-b| / max |b| = " + (maxDiff / maxRef) + " > " + TOLERANCE);
    }

    /** Small networks of each kind: a plain chain, residual adds, depthwise convolutions. */
    static Stream<Arguments> smallNetworks() {
        return networks().filter(a -> Set.of("lenet5", "cifar_resnet", "mobilenet_v2").contains((String) a.get()[0]));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("smallNetworks")
    void aBatchOfThreeEqualsThreeSingleSamples(String name, Map<String, String> params) {
        BuiltModels.Built b = BuiltModels.get(name, params);
        int in = b.model().inputSize(), out = b.model().outputSize();
        float[] x = input(in * 3, 5);
        float[] batched = new float[out * 3];
        b.model().predict(x, batched, 3);
        for (int s = 0; s < 3; s++) {
            // Kernels may tile a batch differently from one sample, so sums round differently.
            float[] one = b.model().predict(java.util.Arrays.copyOfRange(x, s * in, (s + 1) * in));
            assertClose(one, java.util.Arrays.copyOfRange(batched, s * out, (s + 1) * out), name + " sample " + s);
        }
    }
}
