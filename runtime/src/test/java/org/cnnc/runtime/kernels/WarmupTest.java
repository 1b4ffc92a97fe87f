package org.cnnc.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class WarmupTest {
    /** The background warm-up swallows its failures, so a kernel it sets up wrongly would only show here. */
    @Test
    void runsEveryWarmUpKernelWithoutFailing() {
        assertEquals(3, Warmup.rounds(3, () -> true));
    }
}
