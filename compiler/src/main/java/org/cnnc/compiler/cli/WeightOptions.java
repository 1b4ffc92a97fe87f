package org.cnnc.compiler.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import org.cnnc.compiler.ir.Graph;
import org.cnnc.compiler.weights.Weights;
import org.cnnc.compiler.weights.WeightsFile;
import picocli.CommandLine.Option;

/** {@code --weights W.safetensors}, or seeded random He weights with {@code --seed S}. */
final class WeightOptions {
    static final long DEFAULT_SEED = 42;

    @Option(names = "--weights", paramLabel = "W.safetensors",
            description = "trained weights, named and laid out as the PyTorch state_dict (F32, F16 or BF16)")
    Path file;

    @Option(names = "--seed", paramLabel = "S",
            description = "seed of the random He-initialised weights used without --weights (default: "
                    + DEFAULT_SEED + ")")
    Long seed;

    /** The weights to use; says on {@code err} when they are random. */
    Weights resolve(Graph graph, PrintWriter err) {
        if (file != null) return WeightsFile.read(file, graph);
        err.println("cnnc: no --weights given: using random He-initialised weights (seed " + seed()
                + "); the model runs but predicts nothing meaningful");
        return Weights.heInit(graph, seed());
    }

    /** How the weights were obtained, for the model's metadata. */
    String describe() {
        return file != null ? file.getFileName().toString() : "random He initialisation, seed " + seed();
    }

    long seed() {
        return seed == null ? DEFAULT_SEED : seed;
    }
}
