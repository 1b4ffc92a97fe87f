package org.cnnc.runtime;

/**
 * The working memory of one inference: a fixed number of float buffers whose per-sample sizes
 * the compiler planned, grown to the largest batch seen and then reused, plus one scratch
 * buffer that kernels use for packing. A warm model allocates nothing.
 */
public final class Arena {
    /**
     * Floats past the end of every buffer, so that a vector kernel's masked access to a buffer's
     * last elements never reaches the array's end, where the Vector API checks it lane by lane
     * on a slow path (3.7 % of ResNet-50's time in a profile before this slack).
     */
    static final int SLACK = 64;

    private final int[] perSample;
    private final float[][] buffers;
    private final float[] scratch;
    private int batch;

    public Arena(int[] perSampleSizes, int scratchFloats) {
        this.perSample = perSampleSizes.clone();
        this.buffers = new float[perSample.length][];
        this.scratch = new float[Math.addExact(scratchFloats, SLACK)];
    }

    public Arena(int[] perSampleSizes) {
        this(perSampleSizes, 0);
    }

    /** Makes every buffer hold at least {@code batch} samples. */
    public void ensure(int batch) {
        if (batch <= this.batch) return;
        for (int i = 0; i < perSample.length; i++) {
            buffers[i] = new float[Math.addExact(Math.multiplyExact(perSample[i], batch), SLACK)];
        }
        this.batch = batch;
    }

    public float[] buffer(int index) {
        return buffers[index];
    }

    /** Scratch space for the kernels of one call; its contents do not outlive a kernel. */
    public float[] scratch() {
        return scratch;
    }

    /** Bytes held now. */
    public long bytes() {
        long total = 4L * scratch.length;
        for (float[] b : buffers) total += b == null ? 0 : 4L * b.length;
        return total;
    }
}
