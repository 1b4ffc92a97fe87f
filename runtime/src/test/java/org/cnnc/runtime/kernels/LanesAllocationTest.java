package org.cnnc.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The output channels along the lanes allocate nothing per call even where C2 runs short of its
 * inlining budget: a scatter it does not inline boxes its vector on every call. With the budget
 * cut to a tenth of the default ({@code -XX:LiveNodeCountInliningCutoff=4000}), the register tile
 * that scattered its own 21 vectors allocated 1.3 MB per ResNet-50 call; the scatter is now a
 * small method of its own.
 */
class LanesAllocationTest {
    static final double MOST_BYTES_PER_CALL = 16;

    @Test
    void allocatesNothingPerCallOnAShortInliningBudget() throws Exception {
        assumeTrue(VectorOps.VL == 16, "the output channels run along the lanes with 16-float vectors only");
        ChildJvm.Result r = ChildJvm.run(List.of("-XX:LiveNodeCountInliningCutoff=4000", "--add-modules", "jdk.incubator.vector",
                "-Dcnnc.warmup=false"), LanesAllocationMain.class, 120);
        String stdout = r.stdout();
        assertEquals(0, r.exit(), stdout + r.stderr());
        assertTrue(stdout.startsWith("VectorChannelLanesConv "), stdout);
        double perCall = Double.parseDouble(stdout.split(" ")[1]);
        assertTrue(perCall < MOST_BYTES_PER_CALL, stdout);
    }
}
