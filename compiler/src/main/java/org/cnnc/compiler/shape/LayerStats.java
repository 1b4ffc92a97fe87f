package org.cnnc.compiler.shape;

/**
 * What shape inference knows of one node. {@code params} are trainable parameters (as
 * torchvision counts them); {@code buffers} are other stored tensors (BatchNorm's running
 * statistics); {@code macs} count multiply-accumulates of conv, transposed conv and fc only.
 * {@code receptiveField} and {@code jump} (cumulative stride) are in input pixels.
 */
public record LayerStats(long params, long buffers, long macs, double receptiveField, double jump,
                         long outputElements) {

    /**
     * The receptive field in whole input pixels. After upsampling the exact figure can be
     * fractional (a jump below one pixel); it is rounded up.
     */
    public long receptivePixels() {
        return (long) Math.ceil(receptiveField - 1e-9);
    }

    public long flops() {
        return 2 * macs;
    }
}
