package org.cnnc.benchmarks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cnnc.runtime.Parallel;
import org.junit.jupiter.api.Test;

class PairedRoundsTest {
    @Test
    void theLineItWritesIsTheLineTheReportReads() {
        Map<String, double[]> rounds = new LinkedHashMap<>();
        rounds.put(ModelFiles.CNNC_O0, new double[] {4.25, 4.5});
        rounds.put(ModelFiles.CNNC_O2, new double[] {2.125, 2.25});
        rounds.put(ModelFiles.ONNX_RUNTIME, new double[] {2, 2.5});
        rounds.put(ModelFiles.PYTORCH, new double[] {3, 3.5});
        rounds.put(PairedRounds.HANDOFF, new double[] {180, 950});
        Report.Paired p = Report.parsePaired(List.of(PairedRounds.json("tiny", 8, rounds))).get(0);
        assertEquals("tiny", p.network());
        assertEquals(8, p.batch());
        assertArrayEquals(new double[] {2.125, 2.25}, p.o2());
        assertArrayEquals(new double[] {3, 3.5}, p.torch());
        assertArrayEquals(new double[] {180, 950}, p.handoff());
        assertArrayEquals(new int[] {1}, p.rounds(true), "950 ns is a slow stretch's hand-off");
    }

    @Test
    void aHandOffTakesTimeButNotMuch() {
        try (Parallel pair = new Parallel(2)) {
            double ns = PairedRounds.handoffNanos(pair, 2_000);
            assertTrue(ns > 0 && ns < 50_000_000, ns + " ns");
        }
    }
}
