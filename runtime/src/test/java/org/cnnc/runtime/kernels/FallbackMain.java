package org.cnnc.runtime.kernels;

import org.cnnc.runtime.Parallel;

/** Run in a child JVM by {@link FallbackTest}: makes and runs kernels through the public factories. */
public final class FallbackMain {
    private FallbackMain() {}

    public static void main(String[] args) {
        try (Parallel p = new Parallel(2)) {
            for (int i = 0; i < 2; i++) {
                Conv2d c = Conv2d.create(2, 5, 5, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, new float[3 * 2 * 9], Epilogue.NONE);
                float[] x = new float[c.inputSize()], y = new float[c.outputSize()];
                java.util.Arrays.fill(x, 1f);
                c.run(x, y, null, 1, new float[(int) c.scratchFloats(2)], p);
                Linear l = Linear.create(3, 2, new float[] {1, 2, 3, 4, 5, 6}, Epilogue.NONE);
                float[] z = new float[2];
                l.run(new float[] {1, 1, 1}, z, null, 1, null, p);
                System.out.println(c.getClass().getSimpleName() + " " + z[0] + " " + z[1]);
            }
        }
        System.out.println("available=" + VectorSupport.available() + " (" + VectorSupport.describe() + ")");
    }
}
