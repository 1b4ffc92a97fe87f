package org.cnnc.benchmarks;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * ONNX Runtime on a network's ONNX export ({@code cnnc export}): all graph optimisations,
 * {@code threads} intra-op threads, sequential execution. Input and output live in direct
 * buffers allocated once; the output is pinned, so a run copies nothing back into Java.
 */
public final class OrtEngine implements Engine {
    private final OrtSession session;
    private final OnnxTensor inputTensor;
    private final OnnxTensor outputTensor;
    private final FloatBuffer output;
    private final Map<String, OnnxTensor> inputs;
    private final Map<String, OnnxTensor> outputs;

    private OrtEngine(OrtSession session, OnnxTensor inputTensor, OnnxTensor outputTensor, FloatBuffer output,
            String inputName, String outputName) {
        this.session = session;
        this.inputTensor = inputTensor;
        this.outputTensor = outputTensor;
        this.output = output;
        this.inputs = Map.of(inputName, inputTensor);
        this.outputs = Map.of(outputName, outputTensor);
    }

    /** The ONNX Runtime version on the class path. */
    public static String version() {
        return OrtEnvironment.getEnvironment().getVersion();
    }

    /** Opens a session on {@code onnx} for batches of {@code batch} samples. */
    public static OrtEngine open(Path onnx, int batch, int threads) {
        if (!Files.isRegularFile(onnx)) throw new IllegalArgumentException("no ONNX model " + onnx + " (run run.sh, which exports it)");
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession session = null;
        OnnxTensor in = null;
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            options.setIntraOpNumThreads(threads);
            options.setInterOpNumThreads(1);
            session = env.createSession(onnx.toString(), options);
            String inputName = session.getInputNames().iterator().next();
            String outputName = session.getOutputNames().iterator().next();
            long[] inShape = batchShape(session.getInputInfo().get(inputName), batch);
            long[] outShape = batchShape(session.getOutputInfo().get(outputName), batch);
            float[] values = Inputs.normal(Math.toIntExact(elements(inShape)), Inputs.SEED);
            FloatBuffer inBuffer = direct(values.length).put(values).rewind();
            FloatBuffer outBuffer = direct(Math.toIntExact(elements(outShape)));
            in = OnnxTensor.createTensor(env, inBuffer, inShape);
            OnnxTensor out = OnnxTensor.createTensor(env, outBuffer, outShape);
            return new OrtEngine(session, in, out, outBuffer, inputName, outputName);
        } catch (OrtException e) {
            if (in != null) in.close();
            if (session != null) closeQuietly(session);
            throw new IllegalStateException("ONNX Runtime cannot run " + onnx + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Object run() {
        try {
            session.run(inputs, outputs).close();   // the pinned output is not the result's to free
            return output;
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed: " + e.getMessage(), e);
        }
    }

    @Override
    public float[] outputHead(int n) {
        float[] head = new float[Math.min(n, output.capacity())];
        output.get(0, head);
        return head;
    }

    @Override
    public void close() {
        inputTensor.close();
        outputTensor.close();
        closeQuietly(session);
    }

    private static long[] batchShape(NodeInfo node, int batch) {
        long[] shape = ((TensorInfo) node.getInfo()).getShape().clone();
        shape[0] = batch;
        for (long d : shape) if (d <= 0) throw new IllegalArgumentException("unexpected dynamic dimension in " + node);
        return shape;
    }

    private static long elements(long[] shape) {
        long n = 1;
        for (long d : shape) n = Math.multiplyExact(n, d);
        return n;
    }

    private static FloatBuffer direct(int floats) {
        return ByteBuffer.allocateDirect(Math.multiplyExact(floats, Float.BYTES)).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    private static void closeQuietly(OrtSession session) {
        try {
            session.close();
        } catch (OrtException ignored) {
            // the session is gone either way
        }
    }
}
