package org.cnnc.examples.embed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.cnnc.examples.embed.model.LeNet5;
import org.cnnc.runtime.Model;
import org.cnnc.runtime.io.Npy;
import org.cnnc.runtime.io.NpyArray;
import org.junit.jupiter.api.Test;

class ClassifyTest {
    private static final Path DIGIT = Path.of("../inputs/digit.npy");

    @Test
    void theGeneratedModelClassifiesTheSampleDigit() throws Exception {
        try (Model model = new LeNet5()) {
            assertArrayEquals(new int[] {1, 28, 28}, model.inputShape());
            assertEquals(61_706, model.parameterCount());
            float[] scores = Classify.classify(model, Npy.read(DIGIT));
            assertEquals(10, scores.length);
            ByteArrayOutputStream text = new ByteArrayOutputStream();
            Classify.print(model, scores, new PrintStream(text, true, StandardCharsets.UTF_8));
            assertTrue(text.toString(StandardCharsets.UTF_8).startsWith("LeNet5 (jvm, 61,706 parameters): class "));
        }
    }

    @Test
    void differentDigitsGiveDifferentScores() throws Exception {
        try (Model model = new LeNet5()) {
            NpyArray digit = Npy.read(DIGIT);
            float[] blank = new float[digit.data().length];
            float[] a = Classify.classify(model, digit);
            float[] b = Classify.classify(model, new NpyArray(digit.shape(), blank));
            assertTrue(java.util.Arrays.stream(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9})
                    .anyMatch(i -> Math.abs(a[i] - b[i]) > 1e-4), "the input matters");
        }
    }
}
