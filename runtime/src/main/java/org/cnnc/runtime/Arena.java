package org.cnnc.runtime;

/**
 * The working memory of one inference: a fixed number of float buffers whose per-sample sizes
 * the compiler planned, grown to the largest batch seen and then reused, so that a warm
 * model allocates nothing.
 */
public final class Arena {
    private final int[] perSample;
    private final float[][] buffers;
    private int batch;

    public Arena(int[] perSampleSizes) {
        this.perSample = perSampleSizes.clone();
        this.buffers = new float[perSample.length][];
    }

    /** Makes every buffer hold at least {@code batch} samples. */
    public void ensure(int batch) {
        if (batch <= this.batch) return;
        for (int i = 0; i < perSample.length; i++) {
            buffers[i] = new float[Math.multiplyExact(perSample[i], batch)];
        }
        this.batch = batch;
    }

    public float[] buffer(int index) {
        return buffers[index];
    }

    /** Bytes held now. */
    public long bytes() {
        long total = 0;
        for (float[] b : buffers) total += b == null ? 0 : 4L * b.length;
        return total;
    }
}
