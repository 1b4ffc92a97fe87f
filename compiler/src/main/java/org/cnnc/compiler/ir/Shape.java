package org.cnnc.compiler.ir;

import java.util.List;

/** The shape of one sample's tensor on an edge; the batch dimension is chosen at run time. */
public sealed interface Shape {

    long elements();

    /** The dimensions as {@code [C, H, W]} or {@code [N]}. */
    List<Integer> dims();

    /** A feature map, channels × height × width. */
    record Map(int c, int h, int w) implements Shape {
        @Override
        public long elements() {
            return (long) c * h * w;
        }

        @Override
        public List<Integer> dims() {
            return List.of(c, h, w);
        }

        @Override
        public String toString() {
            return c + "×" + h + "×" + w;
        }
    }

    /** A feature vector. */
    record Vec(int n) implements Shape {
        @Override
        public long elements() {
            return n;
        }

        @Override
        public List<Integer> dims() {
            return List.of(n);
        }

        @Override
        public String toString() {
            return Integer.toString(n);
        }
    }

    /** Channels for a map, features for a vector. */
    default int channels() {
        return switch (this) {
            case Map m -> m.c();
            case Vec v -> v.n();
        };
    }
}
