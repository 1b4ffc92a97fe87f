package org.cnnc.stdlib;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.util.Map;
import org.cnnc.compiler.export.OnnxExport;
import org.cnnc.compiler.ir.Graph;
import org.cnnc.compiler.weights.Weights;

/** Runs a network's ONNX export (same graph, same weights) in ONNX Runtime. */
final class OnnxRuntimeReference {
    private OnnxRuntimeReference() {}

    static float[] run(Graph graph, Weights weights, float[] input, int batch) throws IOException, OrtException {
        ByteArrayOutputStream model = new ByteArrayOutputStream();
        OnnxExport.write(graph, weights, model);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        long[] shape = new long[graph.input().shape().dims().size() + 1];
        shape[0] = batch;
        for (int i = 1; i < shape.length; i++) shape[i] = graph.input().shape().dims().get(i - 1);
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(2);
            try (OrtSession session = env.createSession(model.toByteArray(), options);
                 OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), shape);
                 OrtSession.Result result = session.run(Map.of(OnnxExport.INPUT, x))) {
                FloatBuffer y = ((OnnxTensor) result.get(OnnxExport.OUTPUT).orElseThrow()).getFloatBuffer();
                float[] out = new float[y.remaining()];
                y.get(out);
                return out;
            }
        }
    }
}
