package org.cnnc.runtime.kernels;

/** Plain-loop kernels: what runs when the Vector API is absent. */
final class ScalarBackend implements Backend {
    @Override
    public Conv2d conv(ConvShape shape, float[] weights, Epilogue epilogue) {
        return new ScalarConv2d(shape, weights, epilogue);
    }

    @Override
    public ConvPair.OneKernel split(ConvShape both, float[] weights, Epilogue first, Epilogue second, int split) {
        return null;
    }

    @Override
    public Linear linear(int in, int out, float[] weights, Epilogue epilogue) {
        return new ScalarLinear(in, out, weights, epilogue);
    }

    @Override
    public Pool2d pool(ConvShape shape, boolean max) {
        return new ScalarPool2d(shape, max);
    }

    @Override
    public String describe() {
        return "plain loops (no Vector API)";
    }

    /** The plain loops have no panels; the width of two 512-bit vectors, as a neutral answer. */
    @Override
    public int panelColumns() {
        return 32;
    }
}
