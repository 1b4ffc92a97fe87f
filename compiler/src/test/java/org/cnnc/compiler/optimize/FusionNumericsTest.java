package org.cnnc.compiler.optimize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.cnnc.compiler.emit.ModelNames;
import org.cnnc.compiler.ir.Graph;
import org.cnnc.compiler.lower.KernelPlan;
import org.cnnc.compiler.pack.ModelBuilder;
import org.cnnc.compiler.reference.ReferenceInterpreter;
import org.cnnc.compiler.shape.ShapedGraph;
import org.cnnc.compiler.weights.Weights;
import org.cnnc.runtime.Model;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each fusion checked by its numbers: a small network built into a jar at -O0 and at -O2 must
 * compute what the reference interpreter computes on the network as written, with seeded He
 * weights whose BatchNorm statistics are far from the identity.
 */
class FusionNumericsTest {
    static final double TOLERANCE = 1e-5;
    static final int BATCH = 2;

    @TempDir
    Path dir;

    static Stream<Arguments> networks() {
        Map<String, String> nets = new java.util.LinkedHashMap<>();
        nets.put("ConvBnRelu", """
                input 3x7x7
                conv(5, k=3, p=1) -> bn -> relu -> conv(4, k=3, s=2, bias=false) -> bn(eps=0.001) -> relu6
                -> dwconv(k=3, p=1) -> bn -> leakyrelu(0.1) -> flatten -> fc(6)
                """);
        nets.put("IdentityBlock", """
                input 3x6x6
                conv(6, k=3, p=1, bias=false) -> bn -> relu
                -> add { [conv(6, k=3, p=1, bias=false) -> bn -> relu -> conv(6, k=3, p=1, bias=false) -> bn] | identity }
                -> relu -> globalavgpool -> fc(5)
                """);
        nets.put("ProjectionBlock", """
                input 4x6x6
                add { [conv(8, k=3, s=2, p=1, bias=false) -> bn -> relu -> conv(8, k=3, p=1, bias=false) -> bn]
                    | [conv(8, k=1, s=2, bias=false) -> bn] }
                -> relu -> add { identity | conv(8, k=1) } -> tanh -> flatten -> fc(4)
                """);
        nets.put("FcBn", """
                input 12
                fc(10) -> bn -> relu -> fc(8, bias=false) -> bn -> sigmoid -> dropout -> fc(3)
                """);
        nets.put("StandaloneBn", """
                input 3x6x6
                bn -> relu -> conv(4, k=1) -> maxpool -> bn -> leakyrelu(0.2) -> flatten -> fc(3)
                """);
        nets.put("AddRelu", """
                input 4x5x5
                conv(4, k=3, p=1) -> add { maxpool(3, s=1, p=1) | identity | conv(4, k=1) } -> relu
                -> add { conv(4, k=1) | [conv(4, k=1) -> relu] } -> relu -> add { identity | identity } -> sigmoid
                -> concat { identity | bn } -> relu -> flatten -> fc(3)
                """);
        nets.put("FlattenBn", """
                input 1x6x6
                conv(4, k=3) -> flatten -> bn -> relu -> fc(10) -> dropout
                """);
        nets.put("InputResidual", """
                input 3x5x5
                add { identity | [conv(3, k=3, p=1) -> bn] } -> relu
                """);
        nets.put("FcFc", """
                input 3x4x4
                fc(40) -> dropout -> fc(5) -> relu -> fc(24) -> fc(2)
                """);
        // a residual of 1 MiB a sample, which the conv adding it stores over (at -O2)
        nets.put("LargeResidual", """
                input 16x128x128
                conv(16, k=3, p=1, bias=false) -> bn -> relu
                -> add { [conv(16, k=3, p=1, bias=false) -> bn -> relu -> conv(16, k=3, p=1, bias=false) -> bn] | identity }
                -> relu -> globalavgpool -> fc(3)
                """);
        nets.put("Res", null);
        return nets.entrySet().stream().flatMap(e -> Stream.of(0, 2).map(level -> Arguments.of(e.getKey(), e.getValue(), level)));
    }

    @ParameterizedTest(name = "{0} at -O{2}")
    @MethodSource("networks")
    void aBuiltModelComputesWhatTheReferenceComputes(String name, String chain, int level) throws Exception {
        ShapedGraph shaped = chain == null ? Nets.shaped(Nets.RESIDUAL)
                : Nets.shaped("network " + name + " {\n" + chain + "}\n");
        Graph g = shaped.graph();
        Weights weights = Weights.heInit(g, 11);
        float[] x = new float[Math.toIntExact(BATCH * g.input().shape().elements())];
        SplittableRandom rnd = new SplittableRandom(5);
        for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
        float[] expected = ReferenceInterpreter.run(g, weights, x, BATCH);

        Optimizer.Settings settings = new Optimizer.Settings(level, java.util.Set.of());
        KernelPlan plan = ModelBuilder.plan(shaped, settings);
        if (level == 2) assertTrue(plan.kernels().size() < ModelBuilder.plan(shaped, Optimizer.Settings.NONE).kernels().size(),
                "-O2 fuses something in " + name);
        if (level == 2 && name.equals("LargeResidual")) {
            assertTrue(plan.kernels().stream().anyMatch(k -> k.inputs().contains(k.output())), "a kernel stores over its residual");
        }

        String className = ModelNames.className(g.name());
        Path jar = dir.resolve(name + "-O" + level + ".jar");
        ModelBuilder.buildJar(new ModelBuilder.Request(shaped, weights, "test.fusion", className,
                Map.of("network", g.name()), settings), jar, message -> { });
        float[] actual = new float[Math.toIntExact(BATCH * g.outputNode().shape().elements())];
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, getClass().getClassLoader());
             Model model = (Model) Class.forName("test.fusion." + className, true, loader)
                     .getConstructor(int.class).newInstance(2)) {
            model.predict(x, actual, BATCH);
        }
        assertEquals(expected.length, actual.length);
        double maxDiff = 0, maxRef = 0;
        for (int i = 0; i < expected.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(actual[i] - expected[i]));
            maxRef = Math.max(maxRef, Math.abs(expected[i]));
        }
        assertTrue(maxRef > 0, "the reference output is not all zeros");
        assertTrue(maxDiff / maxRef <= TOLERANCE, String.format("%s at -O%d: max|a-b|/max|b| = %.3g (max|b| = %.3g)",
                name, level, maxDiff / maxRef, maxRef));
    }
}
