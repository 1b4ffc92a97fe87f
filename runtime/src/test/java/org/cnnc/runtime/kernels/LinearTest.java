package org.cnnc.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.stream.Stream;
import org.cnnc.runtime.Parallel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Both linear implementations against a double-precision reference, on seeded random data. */
class LinearTest {
    private static final Parallel one = TestPools.ONE, two = TestPools.TWO;

    static Stream<Arguments> cases() {
        int[][] sizes = {{64, 10}, {37, 13}, {16, 1}, {5, 7}, {300, 64}, {1, 3}};
        return Stream.of(VectorSupport.Impl.VECTOR, VectorSupport.Impl.SCALAR)
                .flatMap(impl -> Stream.of(sizes).map(s -> Arguments.of(impl, s[0], s[1])));
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @MethodSource("cases")
    void matchesReferenceForEveryEpilogueAndBatch(VectorSupport.Impl impl, int in, int out) {
        Random r = new Random(31L * in + out);
        for (Epilogue e : Conv2dTest.everyEpilogue(out, r)) {
            for (int batch : new int[] {1, 2, 3, 5}) {
                float[] w = Conv2dTest.random(r, in * out, (float) (1 / Math.sqrt(in)));
                Linear l = Linear.create(in, out, w, e, impl);
                float[] x = Conv2dTest.random(r, batch * in, 1f);
                float[] res = e.residual() ? Conv2dTest.random(r, batch * out, 1f) : null;
                float[] y = new float[batch * out];
                java.util.Arrays.fill(y, Float.NaN);
                Threads.splitEverything = batch != 5;
                try {
                    l.run(x, y, res, batch, new float[(int) l.scratchFloats(2)], batch % 2 == 0 ? one : two);
                } finally {
                    Threads.splitEverything = false;
                }
                double[] expected = Reference.linear(in, out, x, w, e, res, batch);
                double err = Reference.relativeError(y, expected);
                assertTrue(err <= Conv2dTest.TOLERANCE, () -> impl + " " + in + "->" + out + " " + e + " batch " + batch
                        + ": relative error " + err);
                if (e.residual()) {
                    // the output stored over its own residual, as generated code does for its last reader
                    float[] inPlace = res.clone();
                    l.run(x, inPlace, inPlace, batch, new float[(int) l.scratchFloats(2)], batch % 2 == 0 ? one : two);
                    double errInPlace = Reference.relativeError(inPlace, expected);
                    assertTrue(errInPlace <= Conv2dTest.TOLERANCE, () -> impl + " " + in + "->" + out + " " + e + " batch "
                            + batch + ", stored over its residual: relative error " + errInPlace);
                }
            }
        }
    }

    @Test
    void rejectsMismatchedWeightsAndMissingResidual() {
        assertThrows(IllegalArgumentException.class, () -> Linear.create(4, 3, new float[11], Epilogue.NONE));
        assertThrows(IllegalArgumentException.class,
                () -> Linear.create(4, 3, new float[12], Epilogue.of(new float[4], Activation.RELU)));
        Linear l = Linear.create(4, 3, new float[12], new Epilogue(null, Activation.NONE, 0, true, Activation.NONE, 0));
        assertThrows(IllegalArgumentException.class, () -> l.run(new float[4], new float[3], null, 1, null, one));
        assertThrows(IllegalArgumentException.class, () -> l.run(new float[4], new float[3], new float[3], 2, null, one));
    }
}
