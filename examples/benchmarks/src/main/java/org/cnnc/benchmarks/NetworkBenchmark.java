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
 * Whole networks: a batch through a cnnc model built at -O0 (unfused) and at -O2 (fused), and
 * through ONNX Runtime and PyTorch on the same network and weights. Each call is timed (sample mode), so
 * the report can give the median. run.sh sets the parameters, forks and iterations of its
 * quick and full modes; the defaults here are the quick mode's.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Dcnnc.threads=2"})
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 3, time = 1)
public class NetworkBenchmark {
    /** A stdlib network's name. */
    @Param({"lenet5", "cifar_resnet", "resnet18"})
    public String network;

    @Param({ModelFiles.CNNC_O0, ModelFiles.CNNC_O2, ModelFiles.ONNX_RUNTIME, ModelFiles.PYTORCH})
    public String variant;

    @Param({"1"})
    public int batch;

    private Engine engine;

    @Setup(Level.Trial)
    public void open() {
        engine = ModelFiles.openNetwork(network, variant, batch);
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
