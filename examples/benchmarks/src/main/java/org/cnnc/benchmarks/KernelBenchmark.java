package org.cnnc.benchmarks;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A fused kernel against the unfused sequence it replaces: tiny models (kernels/*.cnn) built
 * at -O0 (each layer its own kernel and buffer) and at -O2 (one fused kernel), at ResNet-like
 * shapes, one sample per call.
 * <ul>
 *   <li>{@code conv_bn_relu}: 3×3 convolution (no bias) → BatchNorm → ReLU;
 *   <li>{@code residual_block}: a ResNet basic block, {@code add {conv → bn → relu → conv → bn | identity} → relu}.
 * </ul>
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Dcnnc.threads=2"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class KernelBenchmark {
    @Param({"conv_bn_relu", "residual_block"})
    public String kernel;

    /** Channels × height × width of the block's input (and output). */
    @Param({"64x56x56"})
    public String shape;

    @Param({ModelFiles.CNNC_O0, ModelFiles.CNNC_O2})
    public String variant;

    private Engine engine;

    @Setup(Level.Trial)
    public void open() {
        engine = CnncEngine.open(ModelFiles.kernel(kernel, shape, variant), 1, ModelFiles.threads());
    }

    @TearDown(Level.Trial)
    public void close() {
        engine.close();
    }

    @Benchmark
    public Object predict() {
        return engine.run();
    }
}
