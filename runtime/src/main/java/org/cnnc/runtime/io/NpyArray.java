package org.cnnc.runtime.io;

import java.util.Arrays;

/**
 * An array read from or written to a .npy file: its shape (outermost first; empty for a scalar)
 * and its values in C order. The data array is shared, not copied.
 */
public record NpyArray(int[] shape, float[] data) {

    public NpyArray {
        shape = shape.clone();
        long count = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            count *= d;
            if (count > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has more elements than an array holds");
            }
        }
        if (data.length != count) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + count + " values, not " + data.length);
        }
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NpyArray a && Arrays.equals(shape, a.shape) && Arrays.equals(data, a.data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "NpyArray" + Arrays.toString(shape);
    }
}
