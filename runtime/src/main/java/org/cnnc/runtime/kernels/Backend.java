package org.cnnc.runtime.kernels;

/** Makes kernels of one implementation; names no vector type, so it loads without the Vector API. */
interface Backend {
    Conv2d conv(ConvShape shape, float[] weights, Epilogue epilogue);

    Linear linear(int in, int out, float[] weights, Epilogue epilogue);

    Pool2d pool(ConvShape shape, boolean max);

    String describe();

    /** Columns of a column panel of the matrix-product kernels (the vector ones: two vectors). */
    int panelColumns();
}
