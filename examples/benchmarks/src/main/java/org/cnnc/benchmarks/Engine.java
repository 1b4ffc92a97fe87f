package org.cnnc.benchmarks;

/**
 * One way of running a network on a fixed batch of inputs: a model jar built by cnnc, or ONNX
 * Runtime on the network's ONNX export. Inputs and outputs are allocated once, when the engine
 * is opened, so that a run measures the inference alone.
 */
public interface Engine extends AutoCloseable {

    /** Runs the batch once; returns the output buffer, for the benchmark's blackhole. */
    Object run();

    /** The first values of the output (for a quick check that the engines agree). */
    float[] outputHead(int n);

    @Override
    void close();
}
