package org.cnnc.benchmarks;

import java.util.SplittableRandom;

/** Seeded inputs: the same values for every engine, so that their outputs can be compared. */
public final class Inputs {
    /** The seed of every benchmark input. */
    public static final long SEED = 1;

    private Inputs() {}

    /** {@code n} values drawn from a standard normal distribution with {@code seed}. */
    public static float[] normal(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            // Box–Muller, one value per pair of uniforms: simple and stable across JDKs.
            double u = 1.0 - random.nextDouble();
            double v = random.nextDouble();
            values[i] = (float) (Math.sqrt(-2.0 * Math.log(u)) * Math.cos(2.0 * Math.PI * v));
        }
        return values;
    }
}
