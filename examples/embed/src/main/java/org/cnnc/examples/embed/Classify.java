package org.cnnc.examples.embed;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import org.cnnc.examples.embed.model.LeNet5;
import org.cnnc.runtime.Model;
import org.cnnc.runtime.io.Npy;
import org.cnnc.runtime.io.NpyArray;

/**
 * Classifies a 28×28 digit stored as a NumPy array with LeNet-5, compiled by cnnc into this
 * build. Usage: {@code Classify [digit.npy]} (default: examples/inputs/digit.npy).
 */
public final class Classify {
    private Classify() {}

    public static void main(String[] args) throws IOException {
        Path input = Path.of(args.length > 0 ? args[0] : "examples/inputs/digit.npy");
        try (Model model = new LeNet5()) {
            float[] scores = classify(model, Npy.read(input));
            print(model, scores, System.out);
        }
    }

    /** The model's ten class scores for one digit. */
    static float[] classify(Model model, NpyArray digit) {
        if (digit.data().length != model.inputSize()) {
            throw new IllegalArgumentException("expected " + model.inputSize() + " values (1×28×28), got "
                    + digit.data().length);
        }
        return model.predict(digit.data());
    }

    static void print(Model model, float[] scores, PrintStream out) {
        int best = 0;
        for (int i = 1; i < scores.length; i++) if (scores[i] > scores[best]) best = i;
        out.printf(Locale.ROOT, "%s (%s, %,d parameters): class %d%n", model.name(), model.backend(),
                model.parameterCount(), best);
        for (int i = 0; i < scores.length; i++) out.printf(Locale.ROOT, "  %d  %9.5f%n", i, scores[i]);
    }
}
