package org.cnnc.compiler.emit.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.cnnc.compiler.Pipeline;
import org.cnnc.compiler.diag.SourceFile;
import org.cnnc.compiler.optimize.Optimizer;
import org.cnnc.compiler.reference.ReferenceInterpreter;
import org.cnnc.compiler.shape.ShapedGraph;
import org.cnnc.compiler.weights.Weights;
import org.cnnc.runtime.Model;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The tornadovm target's sources, and its JVM fallback on every operator, fused and not. */
class TornadoEmitterTest {
    /** Every operator the kernels implement, with each fusion the optimizer makes (BN folding, residual, activation, fc merge). */
    static final String ALL_OPS = """
            network AllOps {
              input 3x12x12
              conv(8, k=3, p=1) -> bn -> relu
              -> add { conv(8, k=3, p=1, bias=false) -> bn | identity } -> bn -> relu6
              -> concat { conv(4, k=1) -> sigmoid | dwconv(k=3, p=1) -> tanh | maxpool(3, s=1, p=1) }
              -> lrn(size=3, alpha=0.001, beta=0.75, k=2)
              -> convtranspose(6, k=3, s=2, p=1, op=1) -> leakyrelu(a=0.1)
              -> upsample(scale=2, mode=bilinear) -> avgpool(2) -> upsample(2) -> adaptiveavgpool(3)
              -> maxpool(2, ceil=true) -> avgpool(3, s=1, p=1, count_include_pad=false)
              -> flatten -> dropout -> fc(64) -> fc(10) -> softmax
            }
            """;

    static ShapedGraph shaped(String text) {
        return Pipeline.shaped(new SourceFile("test.cnn", text), null, Map.of());
    }

    @ParameterizedTest(name = "-O{0}")
    @ValueSource(ints = {0, 2})
    void theFallbackOfEveryOperatorAgreesWithTheReferenceInterpreter(int level, @TempDir Path dir) {
        ShapedGraph shaped = shaped(ALL_OPS);
        Weights weights = Weights.heInit(shaped.graph(), 3);
        Optimizer.Settings settings = new Optimizer.Settings(level, java.util.Set.of());
        TornadoFallback.Built built = TornadoFallback.build(shaped, weights, settings, "AllOps", dir, 3);
        try (Model model = built.model()) {
            assertEquals("jvm", model.backend(), "no TornadoVM runtime here");
            for (int batch : new int[] {1, 2}) {
                float[] x = input(batch * model.inputSize(), 11 + batch);
                float[] y = new float[batch * model.outputSize()];
                model.predict(x, y, batch);
                assertClose(ReferenceInterpreter.run(shaped.graph(), weights, x, batch), y, 1e-4, "-O" + level + " batch " + batch);
            }
        }
        if (level == 2) {
            String kernels = built.sources().kernels().toString();
            for (String fused : List.of("+ bn + relu", "+ bn + add", "∘ fc", "+ relu6")) {
                assertTrue(kernels.contains(fused), "the optimizer's fusions apply: " + fused);
            }
        }
    }

    @Test
    void writesFourClassesAndOnlyTheKernelsAndTheTaskGraphTouchTornadoVm() {
        TornadoEmitter.Output out = TornadoFallback.emit(shaped(ALL_OPS), Optimizer.Settings.DEFAULT, "AllOps");
        assertEquals(List.of("AllOps", "AllOpsJvmKernels", "AllOpsKernels", "AllOpsTaskGraph"),
                out.all().stream().map(f -> f.typeSpec().name()).toList());
        for (var f : out.all()) assertEquals(List.of(), TornadoFallback.parseErrors(f.toString()), f.typeSpec().name());
        for (var f : out.withoutTornado()) {
            assertFalse(f.toString().contains("uk.ac.manchester"), f.typeSpec().name() + " names no TornadoVM class");
        }
        assertTrue(out.kernels().toString().contains("import uk.ac.manchester.tornado.api.annotations.Parallel;"));
        assertEquals(List.of(), SubsetChecker.check(out.kernels().toString()));
    }

    @Test
    void theJvmKernelsAreTheTornadoKernelsWithoutAnnotationsAndWithJavaLangMath() {
        TornadoEmitter.Output out = TornadoFallback.emit(shaped(ALL_OPS), Optimizer.Settings.DEFAULT, "AllOps");
        String tornado = out.kernels().toString(), jvm = out.jvmKernels().toString();
        assertTrue(tornado.contains("TornadoMath.exp(") && tornado.contains("TornadoMath.tanh(") && tornado.contains("TornadoMath.pow("));
        assertFalse(jvm.contains("@Parallel int") || jvm.contains("TornadoMath.") || jvm.contains("import uk."));
        assertEquals(TornadoFallback.normalisedKernels(tornado), TornadoFallback.normalisedKernels(jvm));
    }

    @Test
    void theTaskGraphSendsWeightsOnceTheInputEveryRunAndBringsBackOnlyTheOutput() {
        TornadoEmitter.Output out = TornadoFallback.emit(shaped(ALL_OPS), Optimizer.Settings.DEFAULT, "AllOps");
        String graph = out.taskGraph().toString();
        assertTrue(graph.contains("g[s].transferToDevice(DataTransferMode.FIRST_EXECUTION, once)"));
        assertTrue(graph.contains("g[s].transferToDevice(DataTransferMode.EVERY_EXECUTION, input)"));
        assertTrue(graph.contains("g[OUTPUT_GRAPH].transferToHost(DataTransferMode.EVERY_EXECUTION, output)"));
        assertEquals(1, count(graph, "transferToHost("), "nothing but the output comes back");
        assertFalse(graph.contains("static {"), "no TaskGraph is built in a static initialiser");
        assertTrue(graph.contains("new TornadoExecutionPlan(snapshots)"));
        int kernels = count(out.kernels().toString(), "public static void k");
        assertEquals(kernels, count(graph, "].task(\"k"), "one task per kernel");
        assertTrue(graph.contains("GRAPH_WEIGHTS = {{"), "weights listed per graph");
        assertTrue(graph.contains("private static final int[][] GRAPH_CONSUMED = {{}};"), "one graph: nothing passed between graphs");
    }

    @Test
    void aNetworkOfMoreKernelsThanATaskGraphHoldsRunsAsSeveralGraphsThatPassTheirBuffersOnTheDevice() {
        ShapedGraph shaped = shaped("""
                network Deep {
                  input 4x6x6
                  [conv(4, k=1) -> maxpool(3, s=1, p=1)]*110
                }
                """);
        TornadoEmitter.Layout layout = TornadoEmitter.layout(org.cnnc.compiler.pack.ModelBuilder.plan(shaped, Optimizer.Settings.DEFAULT),
                TornadoFallback.PACKAGE, "Deep", Map.of());
        Segments seg = Segments.of(layout);
        assertTrue(seg.count() >= 2, "220 tasks with 220 weight arrays do not fit one TornadoVM graph: " + seg.count());
        for (int g = 0; g < seg.count(); g++) {
            int first = seg.graphOfCall().indexOf(g), last = seg.graphOfCall().lastIndexOf(g);
            int arrays = seg.weights().get(g).size() + seg.fresh().get(g).size() + seg.consumed().get(g).size() + 2;
            assertTrue(last - first + 1 <= Segments.TASKS_PER_GRAPH);
            assertTrue(Segments.nodes(arrays, last - first + 1) <= Segments.NODES_PER_GRAPH, "graph " + g + " within TornadoVM's node limit");
            if (g == 0) continue;
            assertEquals(1, seg.consumed().get(g).size(), "graph " + g + " takes the previous graph's last output from the device");
        }
        assertEquals(List.of(), seg.persisted().get(seg.count() - 1), "the last graph keeps nothing");
        assertHandsOverEveryBufferFromTheGraphBefore(layout, seg);
        assertEquals(seg.count() - 1, seg.outputGraph());
        String graph = TornadoEmitter.emit(layout.plan(), TornadoFallback.PACKAGE, "Deep", Map.of()).taskGraph().toString();
        assertEquals(220, count(graph, "].task(\"k"));
        assertTrue(graph.contains("private static final int GRAPHS = " + seg.count() + ";"));
        assertTrue(graph.contains("TaskGraph[] g = new TaskGraph[GRAPHS];"));
        assertTrue(graph.contains("g[" + (seg.count() - 1) + "].task(\"k219_maxpool\""), "the last task goes to the last graph");
        assertTrue(graph.contains("g[s].consumeFromDevice(graphName(batch, s - 1), taken)"), "taken from the graph just before");
        assertTrue(graph.contains("g[s].persistOnDevice(kept)"));
        assertTrue(graph.contains("for (int s = 0; s < GRAPHS; s++) p.execution().withGraph(s).execute();"),
                "the graphs run one at a time, so that each hands its buffers to the next");
        assertFalse(graph.contains("p.execution().execute()"), "not all at once: TornadoVM then hands nothing over");
        assertTrue(graph.contains("p.execution().withAllGraphs().close()"), "closing frees every graph, not the last one run");
    }

    @Test
    void aBufferReadSeveralGraphsAfterItIsWrittenIsPassedThroughTheGraphsBetween() {
        ShapedGraph shaped = shaped("""
                network Skip {
                  input 4x6x6
                  conv(4, k=1) -> add { [conv(4, k=1) -> maxpool(3, s=1, p=1)]*200 | identity } -> conv(4, k=1)
                }
                """);
        TornadoEmitter.Layout layout = TornadoEmitter.layout(org.cnnc.compiler.pack.ModelBuilder.plan(shaped, Optimizer.Settings.DEFAULT),
                TornadoFallback.PACKAGE, "Skip", Map.of());
        Segments seg = Segments.of(layout);
        assertTrue(seg.count() >= 3, "400 tasks make at least three graphs: " + seg.count());
        int skip = ((org.cnnc.compiler.lower.KernelPlan.Location.Buffer) layout.calls().get(0).kernel().output()).index();
        for (int g = 1; g < seg.count(); g++) {
            assertTrue(seg.consumed().get(g).contains(skip), "graph " + g + " takes the skip connection's buffer from graph " + (g - 1));
            assertFalse(seg.persisted().get(g).contains(skip), "graph " + g + " does not persist what it took, or it would be freed twice");
        }
        assertTrue(seg.persisted().get(0).contains(skip), "graph 0, which allocated it, keeps the skip connection's buffer");
        assertHandsOverEveryBufferFromTheGraphBefore(layout, seg);
        String graph = TornadoEmitter.emit(layout.plan(), TornadoFallback.PACKAGE, "Skip", Map.of()).taskGraph().toString();
        assertFalse(graph.contains("GRAPH_CONSUMED_FROM"), "no graph takes a buffer from any graph but the one before");
    }

    @Test
    void aNetworkThatFitsOneGraphRunsItWhole() {
        String graph = TornadoFallback.emit(shaped(ALL_OPS), Optimizer.Settings.DEFAULT, "AllOps").taskGraph().toString();
        assertTrue(graph.contains("p.execution().execute();"));
        assertTrue(graph.contains("p.execution().close();"));
        assertFalse(graph.contains("withGraph("));
        assertTrue(graph.contains("private static final int[][] GRAPH_PERSISTED = {{}};"));
    }

    /**
     * What TornadoVM needs of a split: every buffer a graph reads is on the device there, either
     * written by one of its tasks first or taken from the graph just before, which held it; a
     * graph takes only what the graph before held; and each device copy is persisted (and so
     * freed on close) by one graph only, the one that allocated it.
     */
    private static void assertHandsOverEveryBufferFromTheGraphBefore(TornadoEmitter.Layout layout, Segments seg) {
        for (int g = 0; g < seg.count(); g++) {
            java.util.Set<Integer> present = new java.util.HashSet<>(seg.consumed().get(g));
            if (g == 0) assertEquals(List.of(), seg.consumed().get(g));
            for (int b : seg.consumed().get(g)) {
                if (g > 0 && !seg.persisted().get(g - 1).contains(b)) {
                    assertTrue(seg.consumed().get(g - 1).contains(b), "graph " + g + " takes buffer " + b + ", which graph " + (g - 1) + " kept or took");
                }
            }
            for (int b : seg.persisted().get(g)) {
                assertTrue(seg.fresh().get(g).contains(b), "graph " + g + " persists only buffers it allocated: " + b);
                assertTrue(g + 1 < seg.count() && seg.consumed().get(g + 1).contains(b), "what graph " + g + " keeps, the next takes: " + b);
            }
            for (TornadoEmitter.Call c : layout.calls()) {
                if (seg.graphOf(c.kernel().index()) != g) continue;
                for (var l : c.kernel().inputs()) {
                    if (l instanceof org.cnnc.compiler.lower.KernelPlan.Location.Buffer b) {
                        assertTrue(present.contains(b.index()), c.method() + " in graph " + g + " reads buffer " + b.index() + " on the device");
                    }
                }
                if (c.kernel().output() instanceof org.cnnc.compiler.lower.KernelPlan.Location.Buffer b) {
                    present.add(b.index());
                    if (!seg.consumed().get(g).contains(b.index())) assertTrue(seg.fresh().get(g).contains(b.index()));
                }
            }
            assertTrue(present.containsAll(seg.persisted().get(g)), "graph " + g + " keeps only buffers it holds");
        }
    }

    @Test
    void emittingTwiceGivesTheSameSource() {
        TornadoEmitter.Output a = TornadoFallback.emit(shaped(ALL_OPS), Optimizer.Settings.DEFAULT, "AllOps");
        TornadoEmitter.Output b = TornadoFallback.emit(shaped(ALL_OPS), Optimizer.Settings.DEFAULT, "AllOps");
        for (int i = 0; i < a.all().size(); i++) assertEquals(a.all().get(i).toString(), b.all().get(i).toString());
    }

    @Test
    void theModelSaysWhichBackendRunsLogsItOnceAndHonoursCnncBackend(@TempDir Path dir) throws Exception {
        ShapedGraph shaped = shaped(ALL_OPS);
        Weights weights = Weights.heInit(shaped.graph(), 3);
        TornadoFallback.Built built = TornadoFallback.build(shaped, weights, Optimizer.Settings.DEFAULT, "Logged", dir, 1);
        Logger logger = Logger.getLogger(TornadoFallback.PACKAGE + ".Logged");
        List<LogRecord> records = new java.util.concurrent.CopyOnWriteArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord r) {
                records.add(r);
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        logger.addHandler(handler);
        Class<?> model = built.model().getClass();
        try {
            built.model().close();   // logged when built, before the handler: a new class loader logs again
            TornadoFallback.Built again = TornadoFallback.build(shaped, weights, Optimizer.Settings.DEFAULT, "Logged", dir.resolve("2"), 1);
            Model second = (Model) again.model().getClass().getConstructor(int.class).newInstance(1);
            again.model().close();
            second.close();
            assertEquals(1, records.size(), "logged once per model class, not per instance: " + records);
            assertTrue(records.get(0).getMessage().contains("runs its kernels on the JVM (1 threads): the TornadoVM runtime is not loaded"),
                    records.get(0).getMessage());
            withProperty("cnnc.backend", "tornadovm", () -> {
                Exception e = assertThrows(java.lang.reflect.InvocationTargetException.class,
                        () -> model.getConstructor(int.class).newInstance(1));
                assertTrue(e.getCause().getMessage().contains("-Dcnnc.backend=tornadovm, but the TornadoVM runtime is not loaded"),
                        e.getCause().getMessage());
            });
            withProperty("cnnc.backend", "gpu", () -> {
                Exception e = assertThrows(java.lang.reflect.InvocationTargetException.class,
                        () -> model.getConstructor(int.class).newInstance(1));
                assertTrue(e.getCause().getMessage().contains("must be auto, jvm or tornadovm, not gpu"));
            });
            withProperty("tornado.load.api.implementation", "no.such.TaskGraphImpl", () -> {
                try (Model m = (Model) model.getConstructor(int.class).newInstance(1)) {
                    assertEquals("jvm", m.backend(), "this build has no TaskGraph class: the JVM kernels run");
                }
            });
        } finally {
            logger.removeHandler(handler);
        }
    }

    interface Action {
        void run() throws Exception;
    }

    static void withProperty(String key, String value, Action action) throws Exception {
        String old = System.getProperty(key);
        System.setProperty(key, value);
        try {
            action.run();
        } finally {
            if (old == null) System.clearProperty(key);
            else System.setProperty(key, old);
        }
    }

    static int count(String text, String part) {
        int n = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) n++;
        return n;
    }

    static float[] input(int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) rnd.nextGaussian();
        return x;
    }

    static void assertClose(float[] expected, float[] actual, double tolerance, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        double maxDiff = 0, maxRef = 0;
        for (int i = 0; i < expected.length; i++) {
            assertTrue(Float.isFinite(actual[i]), what + ": output " + i + " is " + actual[i]);
            maxDiff = Math.max(maxDiff, Math.abs(expected[i] - actual[i]));
            maxRef = Math.max(maxRef, Math.abs(expected[i]));
        }
        assertTrue(maxRef > 1e-6, what + ": the reference is all zeros");
        assertTrue(maxDiff / maxRef <= tolerance, what + ": max |a-b| / max |b| = " + maxDiff / maxRef);
    }
}
