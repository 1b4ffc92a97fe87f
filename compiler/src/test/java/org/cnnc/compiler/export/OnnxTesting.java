package org.cnnc.compiler.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.SplittableRandom;
import org.cnnc.compiler.Pipeline;
import org.cnnc.compiler.diag.SourceFile;
import org.cnnc.compiler.ir.Graph;
import org.cnnc.compiler.weights.Weights;

/** Compiling inline networks, exporting them, and running the models in ONNX Runtime. */
final class OnnxTesting {
    static final long WEIGHT_SEED = 42;
    /** max|ort − reference| / max|reference| allowed. */
    static final double TOLERANCE = 1e-5;

    private OnnxTesting() {}

    static Graph compile(String text) {
        return Pipeline.shaped(new SourceFile("test.cnn", text), null, Map.of()).graph();
    }

    static byte[] export(Graph graph, Weights weights) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            OnnxExport.write(graph, weights, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static float[] randomInput(Graph graph, int batch, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] x = new float[Math.toIntExact(batch * graph.input().shape().elements())];
        for (int i = 0; i < x.length; i++) x[i] = (float) (2 * rnd.nextGaussian());
        return x;
    }

    static long[] batchShape(int batch, java.util.List<Integer> dims) {
        long[] shape = new long[dims.size() + 1];
        shape[0] = batch;
        for (int i = 0; i < dims.size(); i++) shape[i + 1] = dims.get(i);
        return shape;
    }

    static OrtSession session(byte[] model) throws OrtException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            return OrtEnvironment.getEnvironment().createSession(model, options);
        }
    }

    /** Runs the model on a batch and checks the output's shape: [batch, output dims...]. */
    static float[] run(OrtSession session, Graph graph, float[] input, int batch) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(input),
                batchShape(batch, graph.input().shape().dims()));
             OrtSession.Result result = session.run(Map.of(OnnxExport.INPUT, x))) {
            OnnxTensor y = (OnnxTensor) result.get(OnnxExport.OUTPUT).orElseThrow();
            assertArrayEquals(batchShape(batch, graph.outputNode().shape().dims()), y.getInfo().getShape(),
                    "output shape");
            FloatBuffer fb = y.getFloatBuffer();
            float[] out = new float[fb.remaining()];
            fb.get(out);
            return out;
        }
    }

    static double relativeError(float[] actual, double[] expected) {
        assertTrue(actual.length == expected.length, actual.length + " values, expected " + expected.length);
        double maxDiff = 0, maxRef = 0;
        for (int i = 0; i < actual.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(actual[i] - expected[i]));
            maxRef = Math.max(maxRef, Math.abs(expected[i]));
        }
        return maxRef == 0 ? maxDiff : maxDiff / maxRef;
    }

    /** Exports the network with seeded He weights, runs it at each batch size, and compares with {@link Reference}. */
    static void assertMatchesReference(String text, int... batches) throws OrtException {
        Graph graph = compile(text);
        Weights weights = Weights.heInit(graph, WEIGHT_SEED);
        try (OrtSession session = session(export(graph, weights))) {
            for (int batch : batches) {
                float[] input = randomInput(graph, batch, 1000 + batch);
                float[] actual = run(session, graph, input, batch);
                double[] expected = Reference.run(graph, weights, input, batch);
                double err = relativeError(actual, expected);
                assertTrue(err <= TOLERANCE, "batch " + batch + ": max|ort - reference| / max|reference| = " + err);
            }
        }
    }
}
