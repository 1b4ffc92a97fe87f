package org.cnnc.runtime.kernels;

import jdk.incubator.vector.FloatVector;

/** The Vector API kernels; loaded by name, only when {@code jdk.incubator.vector} is present. */
final class VectorBackend implements Backend {
    VectorBackend() {}

    @Override
    public Conv2d conv(ConvShape shape, float[] weights, Epilogue epilogue) {
        return CurveAfterConv.of(epilogue, e -> {
            if (shape.depthwise()) return new VectorDepthwiseConv(shape, weights, e);
            int tile = Conv2d.winogradTile(shape);
            if (tile > 0) return new VectorWinogradConv(shape, weights, e, tile);
            return new VectorGemmConv(shape, weights, e);
        });
    }

    @Override
    public Linear linear(int in, int out, float[] weights, Epilogue epilogue) {
        return new VectorLinear(in, out, weights, epilogue);
    }

    @Override
    public Pool2d pool(ConvShape shape, boolean max) {
        return new VectorPool2d(shape, max);
    }

    @Override
    public String describe() {
        int bits = FloatVector.SPECIES_PREFERRED.vectorBitSize();
        return "Vector API, " + bits + "-bit vectors (" + FloatVector.SPECIES_PREFERRED.length() + " floats)";
    }

    @Override
    public int panelColumns() {
        return 2 * FloatVector.SPECIES_PREFERRED.length();
    }
}
