package org.cnnc.benchmarks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ReportTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** 1 GFLOP per sample (2 × 0.5 G MACs), so GFLOP/s = 1000 / median ms at batch 1. */
    private static final Map<String, Report.Summary> SUMMARIES = Map.of(
            "tiny", new Report.Summary("Tiny", 500_000_000L),
            "kernels/conv_bn_relu-64x56x56", new Report.Summary("ConvBnRelu", 115_605_504L));

    private static JsonNode resource(String name) throws IOException {
        try (InputStream in = ReportTest.class.getResourceAsStream("/" + name)) {
            return JSON.readTree(in);
        }
    }

    private static Report report(List<Report.ColdRun> cold) throws IOException {
        return report(cold, List.of(2.4, 2.2, 2.0));
    }

    private static Report report(List<Report.ColdRun> cold, List<Double> loads) throws IOException {
        JsonNode networks = resource("jmh-sample.json");
        Report.Settings settings = new Report.Settings("quick", "examples/benchmarks/run.sh --quick", "jvm", 441,
                LocalDate.of(2026, 11, 24), "AMD EPYC", 2, 125.0, loads);
        return new Report(Report.parseJmh(networks), Report.parseJmh(resource("kernels-sample.json")), cold,
                name -> Optional.ofNullable(SUMMARIES.get(name)), settings, networks.get(0));
    }

    private static List<Report.ColdRun> coldRuns() {
        float[] ort = {1f, -2f, 4f};
        float[] cnnc = {1f, -2f, 4.0004f};
        return List.of(
                new Report.ColdRun("tiny", "cnnc-O2", 1, 50, 300, 900, cnnc, null),
                new Report.ColdRun("tiny", "onnxruntime", 1, 40, 20, 700, ort, "1.24.2"),
                new Report.ColdRun("tiny", "cnnc-O2", 1, 70, 200, 800, cnnc, null),
                new Report.ColdRun("tiny", "onnxruntime", 1, 60, 10, 600, ort, "1.24.2"),
                new Report.ColdRun("tiny", "cnnc-O2", 1, 60, 250, 1000, cnnc, null),
                new Report.ColdRun("tiny", "onnxruntime", 1, 50, 30, 650, ort, "1.24.2"));
    }

    private static String line(String markdown, String start) {
        return markdown.lines().filter(l -> l.startsWith(start)).findFirst()
                .orElseThrow(() -> new AssertionError("no line starting with " + start + " in\n" + markdown));
    }

    @Test
    void readsTheMedianInMillisecondsWhateverJmhsUnit() throws IOException {
        List<Report.Result> results = Report.parseJmh(resource("jmh-sample.json"));
        assertEquals(4, results.size());
        assertEquals(25.0, results.get(0).medianMs(), 1e-12);   // the 50th percentile, not the mean (26)
        assertEquals(10.0, results.get(1).medianMs(), 1e-12);   // 10,000 us/op
        assertEquals(1234.5, results.get(0).allocBytesPerOp(), 1e-12);
        assertEquals(40, results.get(0).samples());             // the histogram's counts, over iterations
        assertTrue(Double.isNaN(results.get(3).allocBytesPerOp()));   // run without the gc profiler
    }

    @Test
    void tabulatesEveryVariantWithRatiosToOnnxRuntimeAndToTheUnfusedBuild() throws IOException {
        String md = report(coldRuns()).markdown();
        // O0: 25 ms → 40 GFLOP/s, 9.1 % of 441, 5× ONNX Runtime's 5 ms
        assertEquals("| Tiny (`tiny`) | 1.00 | cnnc -O0 | 25.0 | 40.0 | 9.1 % | 5.00× |  |  | 1,235 |  |",
                line(md, "| Tiny (`tiny`)"));
        // O2: 10 ms → 100 GFLOP/s, 22.7 %, 2× ORT, 2.5× faster than O0; cold first call: median of 300, 200, 250
        assertEquals("|  |  | cnnc -O2 | 10.0 | 100.0 | 22.7 % | 2.00× |  | 2.50× | 0 | 250 |",
                line(md, "|  |  | cnnc -O2 | 10.0"));
        assertEquals("|  |  | ONNX Runtime | 5.00 | 200.0 | 45.4 % | 1 |  |  | 480 | 20.0 |",
                line(md, "|  |  | ONNX Runtime"));
    }

    @Test
    void givesEveryEnginesTimeOverPyTorchsWhereItWasMeasured() throws IOException {
        JsonNode networks = resource("jmh-sample.json");
        List<Report.Result> results = new java.util.ArrayList<>(Report.parseJmh(networks));
        results.add(new Report.Result("predict", Map.of("network", "tiny", "variant", "pytorch", "batch", "1"), 20, 21, 96, 40, 1));
        Report.Settings settings = new Report.Settings("quick", "run.sh", "jvm", 441, LocalDate.of(2026, 12, 6), "AMD EPYC", 2, 125.0, List.of());
        String md = new Report(results, List.of(), List.of(), name -> Optional.ofNullable(SUMMARIES.get(name)), settings, networks.get(0))
                .markdown();
        // -O2 10 ms, ORT 5 ms, PyTorch 20 ms (1 GFLOP: 50 GFLOP/s, 11.3 % of 441)
        assertEquals("|  |  | cnnc -O2 | 10.0 | 100.0 | 22.7 % | 2.00× | 0.50× | 2.50× | 0 |  |", line(md, "|  |  | cnnc -O2 | 10.0"));
        assertEquals("|  |  | PyTorch (eager) | 20.0 | 50.0 | 11.3 % | 4.00× | 1 |  | 96 |  |", line(md, "|  |  | PyTorch"));
        assertTrue(md.contains("| PyTorch | "), "the machine table names PyTorch's version");
    }

    @Test
    void writesOneTablePerBatchSizeWithTheBatchInTheFlopCount() throws IOException {
        String md = report(List.of()).markdown();
        assertTrue(md.contains("## Networks, batch 1\n"));
        assertTrue(md.contains("## Networks, batch 8\n"));
        // batch 8: 8 GFLOP in 40 ms = 200 GFLOP/s; no other variant, so no ratios; no gc profiler, no cold run
        assertEquals("| Tiny (`tiny`) | 8.00 | cnnc -O2 | 40.0 | 200.0 | 45.4 % |  |  |  |  |  |",
                line(md.substring(md.indexOf("## Networks, batch 8")), "| Tiny (`tiny`)"));
    }

    @Test
    void comparesFusedKernelsWithTheirUnfusedSequence() throws IOException {
        String md = report(List.of()).markdown();
        // 0.231 GFLOP; 3 ms → 77.1 GFLOP/s, 2 ms → 115.6 GFLOP/s; 1.5× faster fused
        assertEquals("| conv_bn_relu | 64×56×56 | 0.231 | 3.00 | 2.00 | 1.50× | 77.1 | 115.6 | 16 / 0 |",
                line(md, "| conv_bn_relu"));
    }

    @Test
    void summarisesColdRunsByMedianAndChecksTheOutputsAgainstOnnxRuntime() throws IOException {
        String md = report(coldRuns()).markdown();
        assertEquals("| tiny | cnnc -O2 | 1 | 3 | 60.0 | 250 | 900 | 1.0e-04 |", line(md, "| tiny | cnnc -O2"));
        assertEquals("| tiny | ONNX Runtime | 1 | 3 | 50.0 | 20.0 | 650 |  |", line(md, "| tiny | ONNX Runtime"));
        assertTrue(md.contains("| ONNX Runtime | 1.24.2, "));
    }

    @Test
    void marksAQuickRunAndStatesTheMachineAndCommand() throws IOException {
        String md = report(List.of()).markdown();
        assertTrue(md.startsWith("# cnnc benchmarks (quick run)\n"));
        assertTrue(md.contains("Command: `examples/benchmarks/run.sh --quick` (2 min 5 s in all)"));
        assertTrue(md.contains("| CPU | AMD EPYC, 2 logical processors |"));
        assertTrue(md.contains("| JDK | 25.0.1 (OpenJDK 64-Bit Server VM 25.0.1+8-LTS) |"));
        assertTrue(md.contains("| date | 2026-11-24 |"));
    }

    @Test
    void warnsWhenOtherProcessesSharedTheMachine() throws IOException {
        assertFalse(report(List.of()).markdown().contains("The machine was busy"));
        String busy = report(List.of(), List.of(8.8, 4.1, 2.5)).markdown();
        assertTrue(busy.contains("> **The machine was busy**: the load average reached 8.8 on 2 processors"));
        assertTrue(busy.contains("| load average | 8.80, 4.10, 2.50 (1 min,"));
    }

    @Test
    void mergesRoundsIntoTheMedianOfTheirMedians() {
        Map<String, String> lenet = Map.of("network", "lenet5", "variant", "cnnc-O2", "batch", "1");
        Map<String, String> vgg = Map.of("network", "vgg16", "variant", "cnnc-O2", "batch", "1");
        List<Report.Result> merged = Report.mergeRounds(List.of(
                List.of(new Report.Result("predict", lenet, 0.10, 0.12, 16, 1000, 1), new Report.Result("predict", vgg, 300, 310, 8, 40, 1)),
                List.of(new Report.Result("predict", lenet, 0.30, 0.32, 20, 900, 1)),
                List.of(new Report.Result("predict", lenet, 0.20, 0.22, 24, 1100, 1))));
        assertEquals(2, merged.size());
        Report.Result l = merged.get(0);
        assertEquals(lenet, l.params());
        assertEquals(0.20, l.medianMs(), 1e-12);
        assertEquals(0.22, l.meanMs(), 1e-12);
        assertEquals(20, l.allocBytesPerOp(), 1e-12);
        assertEquals(3000, l.samples());
        assertEquals(3, l.rounds());
        // a benchmark that ran in one round only is that round's result
        assertEquals(300, merged.get(1).medianMs(), 1e-12);
        assertEquals(1, merged.get(1).rounds());
        // an even number of rounds: the mean of the middle two
        List<Report.Result> two = Report.mergeRounds(List.of(
                List.of(new Report.Result("predict", lenet, 0.10, 0.1, 0, 1, 1)),
                List.of(new Report.Result("predict", lenet, 0.40, 0.4, 0, 1, 1))));
        assertEquals(0.25, two.get(0).medianMs(), 1e-12);
    }

    @Test
    void pairedRoundsReportTheMedianAndQuartilesOfTheRoundsRatios() throws IOException {
        // the host is twice as slow in rounds 3 and 4; -O2 ÷ ORT is 1.2, 1.5, 1.4, 1.6, 1.8 round by
        // round, and -O0 takes twice -O2's time in every round
        String line = "{\"network\":\"tiny\",\"cnnc-O0\":[4.8,6,11.2,12.8,7.2],\"cnnc-O2\":[2.4,3,5.6,6.4,3.6],"
                + "\"onnxruntime\":[2,2,4,4,2]}";
        // the same at batch 8, the ratios a tenth lower (1.08, 1.35, 1.26, 1.44, 1.62), PyTorch measured
        // (-O2 ÷ PyTorch 2.16, 1.8, 2.52, 2.88, 2.16), and the hand-off slow in the last two rounds
        String eight = "{\"network\":\"tiny\",\"batch\":8,\"cnnc-O0\":[4.32,5.4,10.08,11.52,6.48],\"cnnc-O2\":[2.16,2.7,5.04,5.76,3.24],"
                + "\"onnxruntime\":[2,2,4,4,2],\"pytorch\":[1,1.5,2,2,1.5],\"handoff_ns\":[150,180,200,800,1200]}";
        List<Report.Paired> paired = Report.parsePaired(List.of(line, "", eight));
        assertEquals(2, paired.size());
        assertEquals(1, paired.get(0).batch(), "a line without a batch is of batch 1");
        assertEquals(8, paired.get(1).batch());
        assertArrayEquals(new double[] {1.4, 1.5, 1.6}, Report.Paired.ratio(paired.get(0).o2(), paired.get(0).ort()), 1e-12);
        JsonNode networks = resource("jmh-sample.json");
        Report.Settings settings = new Report.Settings("full", "run.sh --full", "jvm", 441, LocalDate.of(2026, 11, 28),
                "AMD EPYC", 2, 125.0, List.of());
        String md = new Report(Report.parseJmh(networks), List.of(), List.of(), paired, "run.sh --full --paired",
                name -> Optional.ofNullable(SUMMARIES.get(name)), settings, networks.get(0)).markdown();
        assertTrue(md.contains("## Ratios measured in paired rounds"), md);
        assertEquals("| tiny | 1 | 5 | 1.50× [1.40–1.60] | 3.00× [2.80–3.20] | 2.00× [2.00–2.00] |  | 3.60 | 2.00 |  |  |  |",
                line(md, "| tiny | 1 |"));
        // fast rounds 1.08, 1.35, 1.26; slow rounds 1.44, 1.62
        assertEquals("| tiny | 8 | 5 | 1.35× [1.26–1.44] | 2.70× [2.52–2.88] | 2.00× [2.00–2.00] | 2.16× [2.16–2.52] | 3.24 | 2.00 | 1.50 "
                + "| 200 | 1.26× (3) / 1.53× (2) |", line(md, "| tiny | 8 |"));
        assertTrue(md.contains("Measured after the run above, by `run.sh --full --paired`."), md);
    }

    @Test
    void rejectsThroughputModeWhoseScoreIsNotATime() {
        assertThrows(IllegalArgumentException.class, () -> Report.millisPerUnit("ops/ms"));
        assertEquals(1e-6, Report.millisPerUnit("ns/op"), 0);
    }
}
