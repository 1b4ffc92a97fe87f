package org.cnnc.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The first inference in a fresh JVM (cold JIT): what a command-line user feels. Loads one
 * variant of a network, runs one batch, and appends one JSON line to a file:
 * {@code {"network", "variant", "batch", "loadMs", "firstMs", "startToResultMs", "outputHead", ...}}.
 * run.sh starts it in a new JVM several times; the report takes the median.
 *
 * <p>Usage: {@code FirstInference NETWORK VARIANT BATCH RESULTS.jsonl}
 */
public final class FirstInference {
    private FirstInference() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 4) {
            System.err.println("usage: FirstInference NETWORK VARIANT BATCH RESULTS.jsonl");
            System.exit(2);
        }
        String network = args[0];
        String variant = args[1];
        int batch = Integer.parseInt(args[2]);
        Path results = Path.of(args[3]);

        long t0 = System.nanoTime();
        try (Engine engine = ModelFiles.openNetwork(network, variant, batch)) {
            long t1 = System.nanoTime();
            engine.run();
            long t2 = System.nanoTime();
            long uptimeMs = ManagementFactory.getRuntimeMXBean().getUptime();

            ObjectMapper json = new ObjectMapper();
            ObjectNode line = json.createObjectNode()
                    .put("network", network)
                    .put("variant", variant)
                    .put("batch", batch)
                    .put("threads", ModelFiles.threads())
                    .put("loadMs", (t1 - t0) / 1e6)
                    .put("firstMs", (t2 - t1) / 1e6)
                    .put("startToResultMs", uptimeMs);
            if (variant.equals(ModelFiles.ONNX_RUNTIME)) line.put("onnxRuntimeVersion", OrtEngine.version());
            var head = line.putArray("outputHead");
            for (float v : engine.outputHead(16)) head.add(v);
            Files.writeString(results, json.writeValueAsString(line) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            System.out.printf(java.util.Locale.ROOT, "%s %s batch %d: load %.1f ms, first inference %.1f ms%n",
                    network, variant, batch, (t1 - t0) / 1e6, (t2 - t1) / 1e6);
        }
    }
}
