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
            if (Conv2d.channelsAlongLanes(shape, 2 * VectorOps.VL)) return new VectorChannelLanesConv(shape, weights, e);
            return new VectorGemmConv(shape, weights, e);
        });
    }

    /** The matrix product's shapes (not depthwise, not Winograd's), with activations that clamp and no residual. */
    @Override
    public ConvPair.OneKernel split(ConvShape both, float[] weights, Epilogue first, Epilogue second, int split) {
        boolean gemm = both.groups() == 1 && Conv2d.winogradTile(both) == 0;
        for (Epilogue e : new Epilogue[] {first, second}) {
            gemm &= !e.residual() && VectorOps.clamps(e.act()) && VectorOps.clamps(e.after());
        }
        return gemm ? new SplitGemm(new VectorGemmConv(both, weights, first, second, split)) : null;
    }

    /** The matrix-product kernel split in two, seen only through its two-output call. */
    private record SplitGemm(VectorGemmConv gemm) implements ConvPair.OneKernel {
        @Override
        public void run(float[] x, float[] y1, float[] y2, int batch, float[] scratch, org.cnnc.runtime.Parallel parallel) {
            gemm.runPair(x, y1, y2, batch, scratch, parallel);
        }

        @Override
        public long scratchFloats(int threads) {
            return gemm.scratchFloats(threads);
        }

        @Override
        public String strategy() {
            return gemm.strategy();
        }
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
