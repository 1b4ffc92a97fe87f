package org.cnnc.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * Turns JMH's JSON results ({@code -rf json}), the first-inference runs and the networks'
 * {@code cnnc summary --json} into RESULTS.md: per batch size a table of median time,
 * GFLOP/s, fraction of the machine's peak, ratio to ONNX Runtime, fusion speed-up, allocation
 * per call and the cold first inference; then the per-kernel table and the cold runs.
 *
 * <p>Usage: {@code Report --networks N.json [--kernels K.json] [--cold C.jsonl] [--paired P.jsonl] --models DIR
 * --mode quick|full --command "..." [--target jvm] [--peak 441] [--elapsed SECONDS] [--load L,L,...] --out RESULTS.md}
 */
public final class Report {
    /**
     * FP32 FMA peak assumed when none is given, in GFLOP/s (a two-core Zen 5 with AVX-512); run.sh
     * measures the machine's own with {@link PeakFlops} and passes it.
     */
    public static final double DEFAULT_PEAK_GFLOPS = 441;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> VARIANT_ORDER =
            List.of(ModelFiles.CNNC_O0, ModelFiles.CNNC_O2, ModelFiles.ONNX_RUNTIME, ModelFiles.PYTORCH);

    /**
     * One JMH benchmark result: its parameters, median time per call and allocation per call;
     * {@code rounds}: how many runs of it were merged into this one.
     */
    public record Result(String benchmark, Map<String, String> params, double medianMs, double meanMs,
            double allocBytesPerOp, long samples, int rounds) {
        String param(String name) {
            return params.getOrDefault(name, "");
        }

        int batch() {
            return Integer.parseInt(params.getOrDefault("batch", "1"));
        }
    }

    /** One first inference in a fresh JVM. */
    public record ColdRun(String network, String variant, int batch, double loadMs, double firstMs,
            double startToResultMs, float[] outputHead, String onnxRuntimeVersion) {}

    /** What the summaries say about a network or kernel model: its name and MACs per sample. */
    public record Summary(String network, long macsPerSample) {}

    /**
     * How the run was made, for the header. {@code loadAverages}: the 1-minute load average after
     * the network benchmarks, after the kernel benchmarks and after the cold runs (empty where
     * unknown).
     */
    public record Settings(String mode, String command, String target, double peakGflops, LocalDate date,
            String cpu, int processors, Double elapsedSeconds, List<Double> loadAverages) {
        public Settings {
            loadAverages = List.copyOf(loadAverages);
        }
    }

    /** A load average above this on the two-core machine means other processes shared the cores. */
    static final double BUSY_LOAD = 3.5;

    private final List<Result> networks;
    private final List<Result> kernels;
    private final List<ColdRun> cold;
    private final List<Paired> paired;
    /** The command that measured {@link #paired} after the run, or null when the run itself did. */
    private final String pairedCommand;
    private final Function<String, Optional<Summary>> summaries;
    private final Settings settings;
    private final JsonNode runInfo;

    /**
     * @param summaries by stdlib network name ({@code resnet18}) or kernel model name
     *     ({@code kernels/conv_bn_relu-64x56x56})
     * @param runInfo the first entry of the JMH results (JMH and JVM versions, iterations), or null
     */
    public Report(List<Result> networks, List<Result> kernels, List<ColdRun> cold,
            Function<String, Optional<Summary>> summaries, Settings settings, JsonNode runInfo) {
        this(networks, kernels, cold, List.of(), null, summaries, settings, runInfo);
    }

    public Report(List<Result> networks, List<Result> kernels, List<ColdRun> cold, List<Paired> paired,
            String pairedCommand, Function<String, Optional<Summary>> summaries, Settings settings, JsonNode runInfo) {
        this.networks = List.copyOf(networks);
        this.kernels = List.copyOf(kernels);
        this.cold = List.copyOf(cold);
        this.paired = List.copyOf(paired);
        this.pairedCommand = pairedCommand;
        this.summaries = summaries;
        this.settings = settings;
        this.runInfo = runInfo;
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> options = options(args);
        Path models = Path.of(require(options, "models"));
        List<Result> networks = new ArrayList<>();
        List<Result> kernels = new ArrayList<>();
        JsonNode runInfo = null;
        for (String key : List.of("networks", "kernels")) {
            String files = options.get(key);
            if (files == null) continue;
            List<List<Result>> rounds = new ArrayList<>();
            for (String file : files.split(",")) {
                if (!Files.isRegularFile(Path.of(file))) continue;
                JsonNode root = JSON.readTree(Path.of(file).toFile());
                if (runInfo == null && root.size() > 0) runInfo = root.get(0);
                rounds.add(parseJmh(root));
            }
            (key.equals("networks") ? networks : kernels).addAll(mergeRounds(rounds));
        }
        List<ColdRun> cold = options.containsKey("cold") && Files.isRegularFile(Path.of(options.get("cold")))
                ? parseCold(Files.readAllLines(Path.of(options.get("cold")), StandardCharsets.UTF_8))
                : List.of();
        Settings settings = new Settings(
                options.getOrDefault("mode", "quick"),
                options.getOrDefault("command", ""),
                options.getOrDefault("target", "jvm"),
                Double.parseDouble(options.getOrDefault("peak", Double.toString(DEFAULT_PEAK_GFLOPS))),
                LocalDate.now(),
                cpuModel(),
                Runtime.getRuntime().availableProcessors(),
                options.containsKey("elapsed") ? Double.valueOf(options.get("elapsed")) : null,
                options.containsKey("load")
                        ? Arrays.stream(options.get("load").split(",")).map(Double::valueOf).toList()
                        : List.of());
        List<Paired> paired = options.containsKey("paired") && Files.isRegularFile(Path.of(options.get("paired")))
                ? parsePaired(Files.readAllLines(Path.of(options.get("paired")), StandardCharsets.UTF_8))
                : List.of();
        Report report = new Report(networks, kernels, cold, paired, options.get("paired-command"),
                name -> readSummary(models, name), settings, runInfo);
        Path out = Path.of(require(options, "out"));
        Files.writeString(out, report.markdown(), StandardCharsets.UTF_8);
        System.out.println("wrote " + out);
    }

    // ---------------------------------------------------------------- parsing

    /** The results in a JMH JSON report (an array of benchmark entries). */
    public static List<Result> parseJmh(JsonNode root) {
        List<Result> results = new ArrayList<>();
        for (JsonNode entry : root) {
            String benchmark = entry.path("benchmark").asText();
            Map<String, String> params = new LinkedHashMap<>();
            for (var e : entry.path("params").properties()) params.put(e.getKey(), e.getValue().asText());
            JsonNode primary = entry.path("primaryMetric");
            double toMs = millisPerUnit(primary.path("scoreUnit").asText("ms/op"));
            JsonNode median = primary.path("scorePercentiles").get("50.0");
            double mean = primary.path("score").asDouble(Double.NaN);
            double medianMs = (median != null && median.isNumber() ? median.asDouble() : mean) * toMs;
            JsonNode alloc = entry.path("secondaryMetrics").path("gc.alloc.rate.norm").path("score");
            results.add(new Result(benchmark, params, medianMs, mean * toMs,
                    alloc.isNumber() ? alloc.asDouble() : Double.NaN, samples(primary), 1));
        }
        return results;
    }

    /**
     * The same benchmarks run in several rounds, one result each: the median of the rounds'
     * medians, the mean of their means and allocations, every sample counted. A benchmark missing
     * from some round (a failed fork) is merged from the rounds that have it.
     */
    public static List<Result> mergeRounds(List<List<Result>> rounds) {
        Map<String, List<Result>> byKey = new LinkedHashMap<>();
        for (List<Result> round : rounds) {
            for (Result r : round) byKey.computeIfAbsent(r.benchmark() + r.params(), k -> new ArrayList<>()).add(r);
        }
        List<Result> merged = new ArrayList<>();
        for (List<Result> same : byKey.values()) {
            Result first = same.get(0);
            if (same.size() == 1) {
                merged.add(first);
                continue;
            }
            merged.add(new Result(first.benchmark(), first.params(), median(same.stream().mapToDouble(Result::medianMs).toArray()),
                    same.stream().mapToDouble(Result::meanMs).average().orElseThrow(),
                    same.stream().mapToDouble(Result::allocBytesPerOp).average().orElseThrow(),
                    same.stream().mapToLong(Result::samples).sum(),
                    same.stream().mapToInt(Result::rounds).sum()));
        }
        return merged;
    }

    private static long samples(JsonNode primary) {
        long n = 0;
        for (JsonNode fork : primary.path("rawDataHistogram")) {
            for (JsonNode iteration : fork) {
                for (JsonNode bin : iteration) n += bin.path(1).asLong();
            }
        }
        if (n == 0) {
            for (JsonNode fork : primary.path("rawData")) n += fork.size();
        }
        return n;
    }

    static double millisPerUnit(String scoreUnit) {
        String unit = scoreUnit.endsWith("/op") ? scoreUnit.substring(0, scoreUnit.length() - 3) : scoreUnit;
        return switch (unit) {
            case "s" -> 1e3;
            case "ms" -> 1;
            case "us", "µs" -> 1e-3;
            case "ns" -> 1e-6;
            default -> throw new IllegalArgumentException("unexpected JMH score unit " + scoreUnit
                    + " (run the benchmarks in sample or average-time mode)");
        };
    }

    /**
     * One network's {@link PairedRounds} at one batch size: each engine's median call (ms) in each
     * round, and each round's median hand-off between two threads (ns); {@code torch} is empty
     * where PyTorch was not measured, {@code handoff} where the hand-off was not.
     */
    public record Paired(String network, int batch, double[] o0, double[] o2, double[] ort, double[] torch, double[] handoff) {
        /**
         * The hand-off (ns) from which a round counts as one of the host's slow stretches: on the
         * AMD EPYC these benchmarks ran on, rounds fell at 120–250 ns or at 600–1300.
         */
        static final double SLOW_HANDOFF_NS = 450;

        /** The median over rounds of a/b round by round, and its quartiles. */
        static double[] ratio(double[] a, double[] b) {
            double[] r = new double[Math.min(a.length, b.length)];
            for (int i = 0; i < r.length; i++) r[i] = a[i] / b[i];
            Arrays.sort(r);
            return new double[] {r[(r.length - 1) / 4], median(r), r[3 * (r.length - 1) / 4]};
        }

        /** The rounds (indices) whose hand-off was slow, or (slow false) fast. */
        int[] rounds(boolean slow) {
            return IntStream.range(0, handoff.length).filter(r -> handoff[r] >= SLOW_HANDOFF_NS == slow).toArray();
        }

        /** a[r] for the rounds r given. */
        static double[] of(double[] a, int[] rounds) {
            return Arrays.stream(rounds).mapToDouble(r -> a[r]).toArray();
        }
    }

    /** The lines written by {@link PairedRounds}. */
    public static List<Paired> parsePaired(List<String> lines) {
        return jsonLines(lines, "paired-rounds", n -> new Paired(n.path("network").asText(), n.path("batch").asInt(1),
                doubles(n.path(ModelFiles.CNNC_O0)),
                doubles(n.path(ModelFiles.CNNC_O2)), doubles(n.path(ModelFiles.ONNX_RUNTIME)), doubles(n.path(ModelFiles.PYTORCH)),
                doubles(n.path(PairedRounds.HANDOFF))));
    }

    /** One value per non-blank line, each line a JSON object. */
    private static <T> List<T> jsonLines(List<String> lines, String what, Function<JsonNode, T> value) {
        List<T> out = new ArrayList<>();
        for (String line : lines) {
            if (line.isBlank()) continue;
            try {
                out.add(value.apply(JSON.readTree(line)));
            } catch (IOException e) {
                throw new UncheckedIOException("bad " + what + " line: " + line, e);
            }
        }
        return out;
    }

    private static double[] doubles(JsonNode array) {
        double[] d = new double[array.size()];
        for (int i = 0; i < d.length; i++) d[i] = array.get(i).asDouble();
        return d;
    }

    /** The lines written by {@link FirstInference}. */
    public static List<ColdRun> parseCold(List<String> lines) {
        return jsonLines(lines, "first-inference", n -> {
            JsonNode headNode = n.path("outputHead");
            float[] head = new float[headNode.size()];
            for (int i = 0; i < head.length; i++) head[i] = (float) headNode.get(i).asDouble();
            return new ColdRun(n.path("network").asText(), n.path("variant").asText(), n.path("batch").asInt(1),
                    n.path("loadMs").asDouble(), n.path("firstMs").asDouble(), n.path("startToResultMs").asDouble(),
                    head, n.hasNonNull("onnxRuntimeVersion") ? n.get("onnxRuntimeVersion").asText() : null);
        });
    }

    private static Optional<Summary> readSummary(Path models, String name) {
        Path file = models.resolve("summaries").resolve(name + ".json");
        if (!Files.isRegularFile(file)) return Optional.empty();
        try {
            JsonNode n = JSON.readTree(file.toFile());
            return Optional.of(new Summary(n.path("network").asText(name), n.path("totalMacs").asLong()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"), StandardCharsets.UTF_8)) {
                if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).strip();
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or not readable
        }
        return System.getProperty("os.arch");
    }

    // ---------------------------------------------------------------- rendering

    /** RESULTS.md. */
    public String markdown() {
        StringBuilder md = new StringBuilder();
        boolean quick = settings.mode().equals("quick");
        md.append("# cnnc benchmarks").append(quick ? " (quick run)" : "").append("\n\n");
        if (quick) {
            md.append("> **Quick run**: one fork, short warm-up and measurement, a subset of the networks. These are\n")
              .append("> development figures; the table for the README comes from `run.sh --full`.\n\n");
        }
        double maxLoad = settings.loadAverages().stream().mapToDouble(Double::doubleValue).max().orElse(0);
        if (maxLoad > BUSY_LOAD) {
            md.append("> **The machine was busy**: the load average reached ").append(fmt("%.1f", maxLoad))
              .append(" on ").append(settings.processors()).append(" processors (the benchmarks alone make about 2), so\n")
              .append("> other processes took time from these measurements. Compare ratios within this run, with care.\n\n");
        }
        md.append("Command: `").append(settings.command()).append('`');
        if (settings.elapsedSeconds() != null) md.append(" (").append(duration(settings.elapsedSeconds())).append(" in all)");
        md.append("\n\n");
        machine(md);

        Set<Integer> batches = new java.util.TreeSet<>();
        for (Result r : networks) batches.add(r.batch());
        for (int batch : batches) networkTable(md, batch);
        if (!paired.isEmpty()) pairedTable(md);
        if (!kernels.isEmpty()) kernelTable(md);
        if (!cold.isEmpty()) coldTable(md);
        return md.toString();
    }

    private void machine(StringBuilder md) {
        md.append("## Machine and settings\n\n| | |\n| --- | --- |\n");
        row(md, "CPU", settings.cpu() + ", " + settings.processors() + " logical processors");
        if (runInfo != null) {
            row(md, "JDK", runInfo.path("jdkVersion").asText() + " (" + runInfo.path("vmName").asText() + " "
                    + runInfo.path("vmVersion").asText() + ")");
            row(md, "JMH", runInfo.path("jmhVersion").asText() + ", sample mode (every call timed), "
                    + plural(runInfo.path("forks").asInt(), "fork") + ", warm-up "
                    + runInfo.path("warmupIterations").asInt() + " × " + runInfo.path("warmupTime").asText()
                    + ", measurement " + runInfo.path("measurementIterations").asInt() + " × "
                    + runInfo.path("measurementTime").asText() + ", gc profiler");
            List<String> jvmArgs = new ArrayList<>();
            runInfo.path("jvmArgs").forEach(a -> jvmArgs.add(a.asText()));
            if (!jvmArgs.isEmpty()) row(md, "JVM arguments", "`" + String.join(" ", jvmArgs) + "`");
        }
        int rounds = networks.stream().mapToInt(Result::rounds).max().orElse(1);
        if (rounds > 1) {
            row(md, "rounds", "the network benchmarks ran " + rounds + " times over, one after another, each time "
                    + "every network, batch and engine in turn: each engine is measured in every phase of a shared "
                    + "host's load; a median shown is the median of the rounds' medians");
        }
        row(md, "cnnc", "target " + settings.target() + ", seeded weights (--seed 1), 2 kernel threads; "
                + "-O0 = no graph pass (every layer its own kernel), -O2 = fused");
        String ort = cold.stream().map(ColdRun::onnxRuntimeVersion).filter(Objects::nonNull).findFirst().orElse(null);
        row(md, "ONNX Runtime", (ort != null ? ort + ", " : "") + "Java API, the same network and weights (cnnc export), "
                + "all graph optimisations, 2 intra-op threads, pinned input and output buffers");
        if (networks.stream().anyMatch(r -> r.param("variant").equals(ModelFiles.PYTORCH))) {
            row(md, "PyTorch", TorchEngine.describe() + ", eager: the ONNX export's nodes run one by one as "
                    + "PyTorch's operators (conv2d, batch_norm, relu, ...), no fusion, 2 intra-op threads, 1 inter-op thread");
        }
        row(md, "peak", fmt("%.0f", settings.peakGflops()) + " GFLOP/s (FP32 FMA on both cores, measured by `PeakFlops`:"
                + " independent FMA chains on the preferred vector width, no memory traffic)");
        row(md, "date", settings.date().toString());
        if (!settings.loadAverages().isEmpty()) {
            row(md, "load average", settings.loadAverages().stream().map(l -> fmt("%.2f", l))
                    .collect(java.util.stream.Collectors.joining(", "))
                    + " (1 min, after the networks, the kernels and the cold runs; the benchmarks alone make about 2)");
        }
        md.append('\n');
    }

    private void networkTable(StringBuilder md, int batch) {
        md.append("## Networks, batch ").append(batch).append("\n\n");
        md.append("| network | GFLOP per call | engine | median ms | GFLOP/s | % of peak | time ÷ ORT | time ÷ PyTorch | fusion speed-up | alloc B/call | cold first call ms |\n");
        md.append("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        Map<String, Map<String, Result>> byNetwork = new LinkedHashMap<>();
        for (Result r : networks) {
            if (r.batch() != batch) continue;
            byNetwork.computeIfAbsent(r.param("network"), k -> new LinkedHashMap<>()).put(r.param("variant"), r);
        }
        for (var e : byNetwork.entrySet()) {
            String network = e.getKey();
            Map<String, Result> variants = e.getValue();
            Optional<Summary> summary = summaries.apply(network);
            double gflop = summary.map(s -> 2.0 * s.macsPerSample() * batch / 1e9).orElse(Double.NaN);
            Result ort = variants.get(ModelFiles.ONNX_RUNTIME);
            Result torch = variants.get(ModelFiles.PYTORCH);
            Result o0 = variants.get(ModelFiles.CNNC_O0);
            boolean first = true;
            for (String variant : ordered(variants.keySet())) {
                Result r = variants.get(variant);
                double gflops = gflop / (r.medianMs() / 1e3);
                String vsOrt = ort == null ? "" : variant.equals(ModelFiles.ONNX_RUNTIME) ? "1" : ratio(r.medianMs() / ort.medianMs());
                String vsTorch = torch == null ? "" : variant.equals(ModelFiles.PYTORCH) ? "1" : ratio(r.medianMs() / torch.medianMs());
                String fusion = variant.equals(ModelFiles.CNNC_O2) && o0 != null ? ratio(o0.medianMs() / r.medianMs()) : "";
                md.append("| ").append(first ? networkLabel(network, summary) : "")
                  .append(" | ").append(first ? gflopText(gflop) : "")
                  .append(" | ").append(engineLabel(variant))
                  .append(" | ").append(ms(r.medianMs()))
                  .append(" | ").append(Double.isNaN(gflops) ? "" : fmt(gflops < 10 ? "%.2f" : "%.1f", gflops))
                  .append(" | ").append(Double.isNaN(gflops) ? "" : fmt("%.1f %%", 100 * gflops / settings.peakGflops()))
                  .append(" | ").append(vsOrt)
                  .append(" | ").append(vsTorch)
                  .append(" | ").append(fusion)
                  .append(" | ").append(bytes(r.allocBytesPerOp()))
                  .append(" | ").append(coldFirst(network, variant, batch))
                  .append(" |\n");
                first = false;
            }
        }
        md.append('\n');
        md.append(networks.stream().anyMatch(r -> r.rounds() > 1)
                ? "Median of every timed call in each round, then the median of the rounds'. " : "Median of every timed call. ")
          .append("GFLOP = 2 × MACs (conv and fc, from `cnnc summary --json`) × batch. ")
          .append("time ÷ ORT, time ÷ PyTorch: this engine's median over ONNX Runtime's, PyTorch's (below 1 is faster). ")
          .append("Fusion speed-up: the -O0 median over the -O2 median. ")
          .append("alloc: bytes allocated on the Java heap per call (JMH gc profiler). ")
          .append("Cold first call: the first inference in a fresh JVM, median of the runs below (batch 1 only).\n\n");
    }

    private void kernelTable(StringBuilder md) {
        md.append("## Fused kernels against their unfused sequences (batch 1)\n\n");
        md.append("| kernel | input C×H×W | GFLOP | -O0 ms | -O2 ms | fusion speed-up | -O0 GFLOP/s | -O2 GFLOP/s | alloc B/call -O0 / -O2 |\n");
        md.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        Map<String, Map<String, Result>> byModel = new LinkedHashMap<>();
        for (Result r : kernels) {
            byModel.computeIfAbsent(r.param("kernel") + "\u0000" + r.param("shape"), k -> new LinkedHashMap<>())
                    .put(r.param("variant"), r);
        }
        for (var e : byModel.entrySet()) {
            String[] key = e.getKey().split("\u0000", 2);
            Result o0 = e.getValue().get(ModelFiles.CNNC_O0);
            Result o2 = e.getValue().get(ModelFiles.CNNC_O2);
            double gflop = summaries.apply("kernels/" + key[0] + "-" + key[1])
                    .map(s -> 2.0 * s.macsPerSample() / 1e9).orElse(Double.NaN);
            md.append("| ").append(key[0])
              .append(" | ").append(key[1].replace('x', '×'))
              .append(" | ").append(gflopText(gflop))
              .append(" | ").append(o0 == null ? "" : ms(o0.medianMs()))
              .append(" | ").append(o2 == null ? "" : ms(o2.medianMs()))
              .append(" | ").append(o0 == null || o2 == null ? "" : ratio(o0.medianMs() / o2.medianMs()))
              .append(" | ").append(o0 == null ? "" : gflopsText(gflop, o0.medianMs()))
              .append(" | ").append(o2 == null ? "" : gflopsText(gflop, o2.medianMs()))
              .append(" | ").append(o0 == null ? "" : bytes(o0.allocBytesPerOp())).append(" / ")
              .append(o2 == null ? "" : bytes(o2.allocBytesPerOp()))
              .append(" |\n");
        }
        md.append("\nconv_bn_relu: 3×3 conv (no bias) → bn → relu; residual_block: "
                + "add {conv → bn → relu → conv → bn | identity} → relu (kernels/*.cnn). "
                + "At -O2 each conv carries its bn, residual add and relu in one kernel.\n\n");
    }

    private void pairedTable(StringBuilder md) {
        md.append("## Ratios measured in paired rounds\n\n");
        md.append("| network | batch | rounds | -O2 ÷ ORT | -O0 ÷ ORT | fusion speed-up (-O0 ÷ -O2) | -O2 ÷ PyTorch | -O2 ms | ORT ms | PyTorch ms "
                + "| hand-off ns | -O2 ÷ ORT, fast / slow rounds |\n");
        md.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (Paired p : paired) {
            md.append("| ").append(p.network())
              .append(" | ").append(p.batch())
              .append(" | ").append(p.ort().length)
              .append(" | ").append(quartiles(Paired.ratio(p.o2(), p.ort())))
              .append(" | ").append(quartiles(Paired.ratio(p.o0(), p.ort())))
              .append(" | ").append(quartiles(Paired.ratio(p.o0(), p.o2())))
              .append(" | ").append(p.torch().length == 0 ? "" : quartiles(Paired.ratio(p.o2(), p.torch())))
              .append(" | ").append(ms(median(p.o2())))
              .append(" | ").append(ms(median(p.ort())))
              .append(" | ").append(ms(median(p.torch())))
              .append(" | ").append(p.handoff().length == 0 ? "" : fmt("%.0f", median(p.handoff())))
              .append(" | ").append(byStretch(p)).append(" |\n");
        }
        md.append("\nThe engines of a network open in one JVM; each round runs each for 0.4 s in turn (after 6 s of warm-up each),\n")
          .append("and a ratio is the median over rounds of that round's ratio of median calls, [first–third quartile]: engines\n")
          .append("a fraction of a second apart share the host's stretch of speed, which separate forks need not (`PairedRounds`).\n")
          .append("Before each round an empty parallel loop of two threads is timed (the median of 20,000): the host's slow stretches\n")
          .append("are those in which a cache line passes slowly between its two vCPUs (a hand-off of ")
          .append(fmt("%.0f", Paired.SLOW_HANDOFF_NS)).append(" ns or more), which every\n")
          .append("engine's parallel loops pay; the last column gives -O2 ÷ ORT over the fast rounds and over the slow ones (how many).");
        if (pairedCommand != null) md.append(" Measured after the run above, by `").append(pairedCommand).append("`.");
        md.append("\n\n");
    }

    /** -O2 ÷ ORT over the fast rounds and over the slow ones, each with its count. */
    private static String byStretch(Paired p) {
        if (p.handoff().length == 0) return "";
        StringBuilder s = new StringBuilder();
        for (boolean slow : new boolean[] {false, true}) {
            int[] rounds = p.rounds(slow);
            if (slow) s.append(" / ");
            s.append(rounds.length == 0 ? "–" : fmt("%.2f×", Paired.ratio(Paired.of(p.o2(), rounds), Paired.of(p.ort(), rounds))[1]))
             .append(" (").append(rounds.length).append(')');
        }
        return s.toString();
    }

    private static String quartiles(double[] q) {
        return fmt("%.2f×", q[1]) + " [" + fmt("%.2f", q[0]) + "–" + fmt("%.2f", q[2]) + "]";
    }

    private void coldTable(StringBuilder md) {
        md.append("## First inference in a fresh JVM (cold JIT)\n\n");
        md.append("| network | engine | batch | runs | load ms | first inference ms | JVM start to result ms | max rel. diff to ORT |\n");
        md.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        Map<String, List<ColdRun>> groups = new LinkedHashMap<>();
        for (ColdRun run : cold) groups.computeIfAbsent(run.network() + "\u0000" + run.variant() + "\u0000" + run.batch(),
                k -> new ArrayList<>()).add(run);
        List<String> keys = new ArrayList<>(groups.keySet());
        List<String> networkOrder = new ArrayList<>(new LinkedHashSet<>(cold.stream().map(ColdRun::network).toList()));
        keys.sort(java.util.Comparator.<String>comparingInt(k -> networkOrder.indexOf(k.split("\u0000")[0]))
                .thenComparingInt(k -> variantRank(k.split("\u0000")[1])));
        for (String key : keys) {
            List<ColdRun> runs = groups.get(key);
            ColdRun any = runs.get(0);
            String diff = "";
            if (!any.variant().equals(ModelFiles.ONNX_RUNTIME)) {
                ColdRun ort = groups.getOrDefault(any.network() + "\u0000" + ModelFiles.ONNX_RUNTIME + "\u0000" + any.batch(),
                        List.of()).stream().findFirst().orElse(null);
                if (ort != null) diff = fmt("%.1e", relativeDifference(any.outputHead(), ort.outputHead()));
            }
            md.append("| ").append(any.network())
              .append(" | ").append(engineLabel(any.variant()))
              .append(" | ").append(any.batch())
              .append(" | ").append(runs.size())
              .append(" | ").append(ms(median(runs.stream().mapToDouble(ColdRun::loadMs).toArray())))
              .append(" | ").append(ms(median(runs.stream().mapToDouble(ColdRun::firstMs).toArray())))
              .append(" | ").append(ms(median(runs.stream().mapToDouble(ColdRun::startToResultMs).toArray())))
              .append(" | ").append(diff)
              .append(" |\n");
        }
        md.append("\nMedians over the runs, each in a new JVM. Load: reading the model jar (weights included), "
                + "creating the ONNX Runtime session, or reading the ONNX export into PyTorch's tensors. The last column compares the first 16 outputs with ONNX "
                + "Runtime's: max |a − b| / max |b|.\n");
    }

    private String coldFirst(String network, String variant, int batch) {
        double[] first = cold.stream()
                .filter(c -> c.network().equals(network) && c.variant().equals(variant) && c.batch() == batch)
                .mapToDouble(ColdRun::firstMs).toArray();
        return first.length == 0 ? "" : ms(median(first));
    }

    // ---------------------------------------------------------------- helpers

    static double median(double[] values) {
        if (values.length == 0) return Double.NaN;
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    static double relativeDifference(float[] a, float[] b) {
        int n = Math.min(a.length, b.length);
        double maxDiff = 0;
        double maxRef = 0;
        for (int i = 0; i < n; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
            maxRef = Math.max(maxRef, Math.abs(b[i]));
        }
        return maxRef == 0 ? maxDiff : maxDiff / maxRef;
    }

    private static List<String> ordered(Set<String> variants) {
        return variants.stream().sorted(java.util.Comparator.comparingInt(Report::variantRank)).toList();
    }

    private static int variantRank(String variant) {
        int i = VARIANT_ORDER.indexOf(variant);
        return i < 0 ? VARIANT_ORDER.size() : i;
    }

    private static String engineLabel(String variant) {
        return switch (variant) {
            case ModelFiles.CNNC_O0 -> "cnnc -O0";
            case ModelFiles.CNNC_O2 -> "cnnc -O2";
            case ModelFiles.ONNX_RUNTIME -> "ONNX Runtime";
            case ModelFiles.PYTORCH -> "PyTorch (eager)";
            default -> variant;
        };
    }

    private static String networkLabel(String network, Optional<Summary> summary) {
        return summary.map(s -> s.network() + " (`" + network + "`)").orElse("`" + network + "`");
    }

    static String ms(double ms) {
        if (Double.isNaN(ms)) return "";
        if (ms < 1) return fmt("%.3f", ms);
        if (ms < 10) return fmt("%.2f", ms);
        if (ms < 100) return fmt("%.1f", ms);
        return fmt("%,.0f", ms);
    }

    private static String gflopText(double gflop) {
        if (Double.isNaN(gflop)) return "";
        return gflop < 0.01 ? fmt("%.4f", gflop) : gflop < 1 ? fmt("%.3f", gflop) : fmt("%.2f", gflop);
    }

    private static String gflopsText(double gflop, double ms) {
        double gflops = gflop / (ms / 1e3);
        return Double.isNaN(gflops) ? "" : fmt(gflops < 10 ? "%.2f" : "%.1f", gflops);
    }

    static String ratio(double r) {
        return fmt(r < 10 ? "%.2f×" : "%.1f×", r);
    }

    static String bytes(double b) {
        if (Double.isNaN(b)) return "";
        return fmt("%,.0f", b);
    }

    private static String duration(double seconds) {
        long s = Math.round(seconds);
        return s < 60 ? s + " s" : (s / 60) + " min " + (s % 60) + " s";
    }

    private static String plural(int n, String word) {
        return n + " " + word + (n == 1 ? "" : "s");
    }

    private static void row(StringBuilder md, String key, String value) {
        md.append("| ").append(key).append(" | ").append(value).append(" |\n");
    }

    private static String fmt(String format, double value) {
        return String.format(Locale.ROOT, format, value);
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        Pattern flag = Pattern.compile("--([a-z-]+)");
        for (int i = 0; i < args.length; i++) {
            Matcher m = flag.matcher(args[i]);
            if (!m.matches() || i + 1 >= args.length) {
                throw new IllegalArgumentException("usage: Report --networks N.json [--kernels K.json] [--cold C.jsonl] [--paired P.jsonl] "
                        + "--models DIR --mode quick|full --command CMD [--target T] [--peak GFLOPS] [--elapsed S] [--load L,L,...] --out RESULTS.md"
                        + " (at '" + args[i] + "')");
            }
            options.put(m.group(1), args[++i]);
        }
        return options;
    }

    private static String require(Map<String, String> options, String key) {
        String value = options.get(key);
        if (value == null) throw new IllegalArgumentException("Report needs --" + key);
        return value;
    }
}
