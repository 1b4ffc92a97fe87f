package org.cnnc.runtime.kernels;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;
import org.cnnc.runtime.Parallel;

/**
 * Run by {@link LanesAllocationTest} in a JVM of its own: a convolution with the output channels
 * along the lanes, compiled by C2, then its bytes allocated per call on this thread.
 */
public final class LanesAllocationMain {
    private LanesAllocationMain() {}

    public static void main(String[] args) {
        int ic = 256, side = 7, oc = 96;
        SplittableRandom r = new SplittableRandom(3);
        float[] w = new float[oc * ic], bias = new float[oc], x = new float[ic * side * side], y = new float[oc * side * side];
        for (int i = 0; i < w.length; i++) w[i] = (float) r.nextDouble(-0.1, 0.1);
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextDouble(-1, 1);
        Conv2d c = Conv2d.create(ic, side, side, oc, 1, 1, 1, 1, 0, 0, 1, 1, 1, w,
                new Epilogue(bias, Activation.RELU, 0f, true, Activation.RELU, 0f));
        try (Parallel one = new Parallel(1)) {
            float[] scratch = new float[(int) c.scratchFloats(1)];
            for (int i = 0; i < 20_000; i++) c.run(x, y, y, 1, scratch, one);
            ThreadMXBean bean = (ThreadMXBean) ManagementFactory.getThreadMXBean();
            int calls = 500;
            long before = bean.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < calls; i++) c.run(x, y, y, 1, scratch, one);
            long bytes = bean.getCurrentThreadAllocatedBytes() - before;
            System.out.println(c.getClass().getSimpleName() + " " + (double) bytes / calls + " bytes per call");
        }
    }
}
