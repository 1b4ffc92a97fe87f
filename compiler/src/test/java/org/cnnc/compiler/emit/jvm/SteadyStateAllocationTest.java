package org.cnnc.compiler.emit.jvm;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.cnnc.compiler.emit.ModelNames;
import org.cnnc.compiler.ir.Graph;
import org.cnnc.compiler.optimize.Nets;
import org.cnnc.compiler.optimize.Optimizer;
import org.cnnc.compiler.pack.ModelBuilder;
import org.cnnc.compiler.shape.ShapedGraph;
import org.cnnc.compiler.weights.Weights;
import org.cnnc.runtime.Model;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A warm model allocates nothing per inference, on the calling thread or on the kernel
 * threads: buffers come from the arena, and parallel loops take tasks made once. The network
 * is large enough that its emitted loops (BatchNorm, ReLU, pooling, add at -O0) and its
 * convolutions split across two threads. With 256-bit vectors its convolutions run the matrix
 * product on output pixels (8 → 64 at 32×32, and stride 2 to 16×16), Winograd's 4×4 tiles
 * numbered row after row (64 channels at 32×32), and 2×2 tiles at 8×8: numbered row after row
 * and split by vectors between the threads (64 → 64), with extended columns (64 → 192), and
 * numbered row after row with the rows of one panel split (192 → 192).
 */
class SteadyStateAllocationTest {
    /** Under one small object per call: a lambda per kernel, as loops over captured arrays make, is far above it. */
    static final double MOST_BYTES_PER_CALL = 16;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "-O{0}")
    @ValueSource(ints = {0, 2})
    void aWarmModelAllocatesNothingPerCall(int level) throws Exception {
        ShapedGraph shaped = Nets.shaped("""
                network Alloc {
                  input 8x32x32
                  conv(64, k=3, p=1) -> bn -> relu -> add { [conv(64, k=3, p=1) -> bn] | identity } -> relu
                  -> conv(64, k=3, s=2, p=1) -> relu -> maxpool -> conv(64, k=3, p=1) -> relu
                  -> conv(192, k=3, p=1) -> relu -> conv(192, k=3, p=1) -> relu
                  -> avgpool(8) -> flatten -> fc(10)
                }
                """);
        Graph g = shaped.graph();
        Weights weights = Weights.heInit(g, 3);
        Optimizer.Settings settings = new Optimizer.Settings(level, java.util.Set.of());
        String className = ModelNames.className(g.name());
        Path jar = dir.resolve("alloc-O" + level + ".jar");
        ModelBuilder.buildJar(new ModelBuilder.Request(shaped, weights, "test.alloc", className,
                Map.of("network", g.name()), settings), jar, message -> { });
        float[] x = new float[Math.toIntExact(g.input().shape().elements())];
        SplittableRandom rnd = new SplittableRandom(7);
        for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
        float[] y = new float[Math.toIntExact(g.outputNode().shape().elements())];
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, getClass().getClassLoader());
             Model model = (Model) Class.forName("test.alloc." + className, true, loader)
                     .getConstructor(int.class).newInstance(2)) {
            for (int i = 0; i < 3000; i++) model.predict(x, y, 1);
            long[] threads = callerAndWorkers();
            ThreadMXBean bean = (ThreadMXBean) ManagementFactory.getThreadMXBean();
            int calls = 500;
            long before = sum(bean.getThreadAllocatedBytes(threads));
            for (int i = 0; i < calls; i++) model.predict(x, y, 1);
            double perCall = (double) (sum(bean.getThreadAllocatedBytes(threads)) - before) / calls;
            assertTrue(perCall < MOST_BYTES_PER_CALL, String.format("-O%d: %.1f bytes allocated per call", level, perCall));
        }
    }

    /** The ids of this thread and every kernel worker thread. */
    private static long[] callerAndWorkers() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t == Thread.currentThread() || t.getName().startsWith("cnnc-worker"))
                .mapToLong(Thread::threadId).toArray();
    }

    private static long sum(long[] bytes) {
        long total = 0;
        for (long b : bytes) total += Math.max(0, b);
        return total;
    }
}
