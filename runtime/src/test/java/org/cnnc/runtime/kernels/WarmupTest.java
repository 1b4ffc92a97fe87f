package org.cnnc.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class WarmupTest {
    /** The background warm-up swallows its failures, so a kernel it sets up wrongly would only show here. */
    @Test
    void runsEveryWarmUpKernelWithoutFailing() {
        assertEquals(3, Warmup.rounds(3, () -> true));
    }

    @Test
    void runsEveryRegisterTileOnMoreThanOneBlockOfK() {
        Set<Integer> heights = new TreeSet<>();
        for (Conv2d c : Warmup.convs()) {
            if (c instanceof VectorGemmConv g && g.kBlocks() > 1) heights.add(g.tileRows());
        }
        assertEquals(new TreeSet<>(Set.of(VectorGemmConv.MR, VectorGemmConv.MR_SHORT)), heights);
    }

    @Test
    void runsTheOutputChannelsAlongTheLanesWithSixteenFloatVectors() {
        long lanes = java.util.Arrays.stream(Warmup.convs()).filter(c -> c instanceof VectorChannelLanesConv).count();
        assertEquals(VectorOps.VL == 16 ? 2 : 0, lanes);
    }

    @Test
    void runsBothWinogradTilesAndBothNumberings() {
        Set<Integer> sides = new TreeSet<>();
        Set<Boolean> compact = new TreeSet<>();
        for (Conv2d c : Warmup.convs()) {
            if (c instanceof VectorWinogradConv w) {
                sides.add(w.tileSide());
                compact.add(w.compact());
            }
        }
        assertEquals(Set.of(2, 4), sides);
        assertEquals(Set.of(false, true), compact);
    }
}
