package org.cnnc.runtime.kernels;

/** Makes kernels of one implementation; names no vector type, so it loads without the Vector API. */
interface Backend {
    Conv2d conv(ConvShape shape, float[] weights, Epilogue epilogue);

    /**
     * The convolutions of output channels [0, split) and [split, OC) of one input as one kernel
     * storing two outputs, or null where this implementation does not make one for the shape or
     * the epilogues.
     */
    ConvPair.OneKernel split(ConvShape both, float[] weights, Epilogue first, Epilogue second, int split);

    Linear linear(int in, int out, float[] weights, Epilogue epilogue);

    Pool2d pool(ConvShape shape, boolean max);

    String describe();

    /** Columns of a column panel of the matrix-product kernels (the vector ones: two vectors). */
    int panelColumns();
}
