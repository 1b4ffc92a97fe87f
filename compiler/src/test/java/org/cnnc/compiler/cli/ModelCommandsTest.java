package org.cnnc.compiler.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.cnnc.compiler.optimize.Optimizer;
import org.cnnc.runtime.Model;
import org.cnnc.runtime.io.Npy;
import org.cnnc.runtime.io.NpyArray;
import org.cnnc.runtime.kernels.Conv2d;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** build, emit, init-weights, run and explain on a small network, through the command line in process. */
class ModelCommandsTest {
    static final String TINY = """
            network Tiny(classes = 5) {
              input 3x8x8
              conv(4, k=3, p=1) -> bn -> relu -> maxpool
              -> add { [conv(4, k=3, p=1, bias=false) -> bn] | identity } -> relu
              -> globalavgpool -> flatten -> dropout -> fc(classes)
            }
            """;

    static final long SEED = 3;

    @TempDir
    static Path shared;

    static Path tiny;

    /** Tiny built once at the default level with seed 3; most tests only run it. */
    static Path jar;

    static MainTest.Run buildOutput;

    @TempDir
    Path dir;

    @BeforeAll
    static void buildTiny() throws IOException {
        tiny = Files.writeString(shared.resolve("tiny.cnn"), TINY);
        jar = shared.resolve("tiny.jar");
        buildOutput = run("build", tiny.toString(), "--seed", Long.toString(SEED), "-o", jar.toString());
    }

    static MainTest.Run run(String... args) {
        return MainTest.run(args);
    }

    /** The one line a failing command printed, checked to be a single `where: error: message` line. */
    static String oneLineError(MainTest.Run r) {
        assertEquals(1, r.code(), r::toString);
        List<String> lines = r.err().lines().filter(l -> !l.startsWith("cnnc: no --weights given")).toList();
        assertEquals(1, lines.size(), r::toString);
        assertTrue(lines.get(0).contains(": error: "), r::toString);
        return lines.get(0);
    }

    static float[] predict(Path modelJar, float[] x) throws Exception {
        try (JarFile j = new JarFile(modelJar.toFile());
             URLClassLoader loader = new URLClassLoader(new URL[] {modelJar.toUri().toURL()}, ModelCommandsTest.class.getClassLoader())) {
            String name = j.getManifest().getMainAttributes().getValue("Cnnc-Model-Class");
            try (Model m = (Model) Class.forName(name, true, loader).getConstructor(int.class).newInstance(1)) {
                return m.predict(x);
            }
        }
    }

    static float[] randomInput(long seed) {
        float[] x = new float[3 * 8 * 8];
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
        return x;
    }

    static List<String> entries(Path jarFile) throws IOException {
        try (JarFile j = new JarFile(jarFile.toFile())) {
            return j.stream().map(JarEntry::getName).toList();
        }
    }

    static Attributes manifest(Path jarFile) throws IOException {
        try (JarFile j = new JarFile(jarFile.toFile())) {
            return j.getManifest().getMainAttributes();
        }
    }

    static List<String> files(Path directory) throws IOException {
        try (Stream<Path> s = Files.list(directory)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    // ---- build ----

    @Test
    void buildWritesAJarWithTheClassItsSourceTheRuntimeAndTheWeights() throws IOException {
        MainTest.Run r = buildOutput;
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.out().startsWith("Tiny: wrote " + jar + " (class cnnc.models.Tiny, "), r.out());
        assertTrue(r.err().contains("no --weights given: using random He-initialised weights (seed 3)"), r.err());
        List<String> entries = entries(jar);
        for (String e : List.of("cnnc/models/Tiny.class", "cnnc/models/Tiny.java", "cnnc/models/Tiny.safetensors",
                "org/cnnc/runtime/Model.class")) {
            assertTrue(entries.contains(e), e + " in " + entries);
        }
        Attributes m = manifest(jar);
        assertEquals("cnnc.models.Tiny", m.getValue("Cnnc-Model-Class"));
        assertEquals("Tiny", m.getValue("Cnnc-Network"));
        assertEquals("classes=5", m.getValue("Cnnc-Parameters"));
        assertEquals("-O2", m.getValue("Cnnc-Optimization"));
        assertEquals("random He initialisation, seed 3", m.getValue("Cnnc-Weights"));
        assertEquals(List.of("tiny.cnn", "tiny.jar"), files(shared), "nothing else is left beside the jar");
    }

    @Test
    void buildAtLevelZeroSaysSoAndComputesTheSame() throws Exception {
        Path o0 = dir.resolve("tiny-O0.jar");
        MainTest.Run r = run("build", tiny.toString(), "-O0", "--seed", Long.toString(SEED), "-o", o0.toString(),
                "--package", "my.models", "--class", "TinyZero");
        assertEquals(0, r.code(), r::toString);
        Attributes m = manifest(o0);
        assertEquals("-O0", m.getValue("Cnnc-Optimization"));
        assertEquals("my.models.TinyZero", m.getValue("Cnnc-Model-Class"));
        assertTrue(entries(o0).contains("my/models/TinyZero.java"));
        float[] x = randomInput(9);
        float[] a = predict(o0, x), b = predict(jar, x);
        double maxDiff = 0, max = 0;
        for (int i = 0; i < a.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
            max = Math.max(max, Math.abs(a[i]));
        }
        assertTrue(max > 0 && maxDiff <= 1e-5 * max, maxDiff + " vs " + max);
    }

    @Test
    void buildWithBadWeightsLeavesNothingBehind() throws IOException {
        Path out = Files.createDirectories(dir.resolve("out"));
        Path garbage = Files.writeString(dir.resolve("w.safetensors"), "these are not weights");
        String e = oneLineError(run("build", tiny.toString(), "--weights", garbage.toString(), "-o", out.resolve("t.jar").toString()));
        assertTrue(e.startsWith(garbage + ": error: "), e);
        assertEquals(List.of(), files(out));

        String missing = oneLineError(run("build", tiny.toString(), "--weights", dir.resolve("absent.safetensors").toString(),
                "-o", out.resolve("t.jar").toString()));
        assertTrue(missing.endsWith("error: no such weights file"), missing);
        assertEquals(List.of(), files(out));
    }

    @Test
    void buildWithWeightsOfAnotherShapeNamesTheTensorAndLeavesNothingBehind() throws IOException {
        Path w = dir.resolve("w3.safetensors");
        assertEquals(0, run("init-weights", tiny.toString(), "-P", "classes=3", "-o", w.toString()).code());
        Path out = Files.createDirectories(dir.resolve("out"));
        MainTest.Run r = run("build", tiny.toString(), "--weights", w.toString(), "-o", out.resolve("t.jar").toString());
        assertEquals(1, r.code(), r::toString);
        assertTrue(r.err().startsWith(w + ": error: the weights do not fit network Tiny:"), r.err());
        assertTrue(r.err().contains("tensor '10.weight' has shape [3, 4] but the network needs [5, 4]"), r.err());
        assertEquals(List.of(), files(out));
    }

    @Test
    void buildOfANetworkWithAnErrorLeavesNothingBehind() throws IOException {
        Path bad = Files.writeString(dir.resolve("bad.cnn"), "network Bad {\n  input 3x4x4\n  conv(4, k=5)\n}\n");
        Path out = Files.createDirectories(dir.resolve("out"));
        MainTest.Run r = run("build", bad.toString(), "-o", out.resolve("bad.jar").toString());
        assertEquals(1, r.code(), r::toString);
        assertTrue(r.err().startsWith(bad + ":3:3: error: conv k=5 does not fit a 4×4 input"), r.err());
        assertEquals("", r.out());
        assertEquals(List.of(), files(out));
    }

    @Test
    void buildThatCannotMoveTheJarIntoPlaceLeavesNoPartialFile() throws IOException {
        Path out = Files.createDirectories(dir.resolve("out"));
        Path occupied = Files.createDirectories(out.resolve("t.jar"));
        Files.writeString(occupied.resolve("keep"), "a directory where the jar should go");
        MainTest.Run r = run("build", tiny.toString(), "-o", occupied.toString());
        String e = oneLineError(r);
        assertTrue(e.startsWith(occupied + ": error: cannot write the model"), e);
        assertEquals(List.of("t.jar"), files(out), "no .partial file next to it");
        assertEquals(List.of("keep"), files(occupied));
    }

    @Test
    void buildRejectsAnUnknownLevelOrPassBeforeWritingAnything() throws IOException {
        Path out = Files.createDirectories(dir.resolve("out"));
        String level = oneLineError(run("build", tiny.toString(), "-O3", "-o", out.resolve("t.jar").toString()));
        assertTrue(level.contains("the levels are 0, 1 and 2, not 3"), level);
        String pass = oneLineError(run("build", tiny.toString(), "--no-fuse=fuse-activaton", "-o", out.resolve("t.jar").toString()));
        assertEquals("--no-fuse: error: there is no pass 'fuse-activaton'; did you mean 'fuse-activation'?", pass);
        assertEquals(List.of(), files(out));
    }

    @Test
    void buildRejectsAClassOrPackageThatIsNotAJavaName() throws IOException {
        Path out = Files.createDirectories(dir.resolve("out"));
        String cls = oneLineError(run("build", tiny.toString(), "--class", "1Tiny", "-o", out.resolve("t.jar").toString()));
        assertTrue(cls.contains("1Tiny"), cls);
        String pkg = oneLineError(run("build", tiny.toString(), "--package", "my-models", "-o", out.resolve("t.jar").toString()));
        assertTrue(pkg.contains("my-models"), pkg);
        assertEquals(List.of(), files(out));
    }

    // ---- emit ----

    @Test
    void emitWritesTheSourceAndWithResourcesTheWeights() throws IOException {
        Path src = dir.resolve("src"), res = dir.resolve("res");
        MainTest.Run r = run("emit", tiny.toString(), "-d", src.toString());
        assertEquals(0, r.code(), r::toString);
        Path java = src.resolve("cnnc/models/Tiny.java");
        assertTrue(Files.isRegularFile(java));
        assertEquals(java.toString(), r.out().strip());
        assertTrue(Files.readString(java).contains("public final class Tiny"), "the class is declared in its file");
        assertFalse(Files.exists(res));

        MainTest.Run both = run("emit", tiny.toString(), "-d", src.toString(), "--resources", res.toString(), "--seed", "4");
        assertEquals(0, both.code(), both::toString);
        Path weights = res.resolve("cnnc/models/Tiny.safetensors");
        assertTrue(Files.size(weights) > 4L * 100, "the weights resource");
        assertEquals(List.of(java.toString(), weights.toString()), both.out().lines().toList());
    }

    // ---- init-weights and build --weights ----

    @Test
    void initWeightsThenBuildGivesTheModelBuiltWithTheSameSeed() throws Exception {
        Path w = dir.resolve("tiny.safetensors");
        MainTest.Run init = run("init-weights", tiny.toString(), "--seed", Long.toString(SEED), "-o", w.toString());
        assertEquals(0, init.code(), init::toString);
        assertTrue(init.out().startsWith("Tiny: wrote " + w + " ("), init.out());
        Path fromFile = dir.resolve("from-file.jar");
        MainTest.Run build = run("build", tiny.toString(), "--weights", w.toString(), "-o", fromFile.toString());
        assertEquals(0, build.code(), build::toString);
        assertFalse(build.err().contains("random"), build.err());
        assertEquals("tiny.safetensors", manifest(fromFile).getValue("Cnnc-Weights"));
        for (long seed : new long[] {1, 2}) {
            float[] x = randomInput(seed);
            assertArrayEquals(predict(jar, x), predict(fromFile, x), "same weights, same code, same numbers");
        }
    }

    // ---- run ----

    record Printed(int cls, float score) {}

    static final Pattern LINE = Pattern.compile("^\\s+(\\d+)\\s+(-?[0-9.]+(?:E-?\\d+)?)(?:\\s+(.*))?$");

    /** The class lines of run's output, per sample. */
    static List<List<Printed>> printed(String out) {
        List<List<Printed>> samples = new ArrayList<>();
        List<Printed> current = null;
        for (String line : out.lines().skip(1).toList()) {
            if (line.startsWith("sample ")) {
                current = new ArrayList<>();
                samples.add(current);
                continue;
            }
            Matcher m = LINE.matcher(line);
            assertTrue(m.matches(), line);
            if (current == null) {
                current = new ArrayList<>();
                samples.add(current);
            }
            current.add(new Printed(Integer.parseInt(m.group(1)), Float.parseFloat(m.group(2))));
        }
        return samples;
    }

    @Test
    void runWithARandomInputPrintsTheTopClasses() {
        MainTest.Run r = run("run", jar.toString(), "--random", "--top", "3");
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.out().startsWith("Tiny (jvm backend): 1 sample in "), r.out());
        List<List<Printed>> p = printed(r.out());
        assertEquals(1, p.size());
        assertEquals(3, p.get(0).size());
        assertTrue(p.get(0).get(0).score() >= p.get(0).get(1).score() && p.get(0).get(1).score() >= p.get(0).get(2).score());

        MainTest.Run batch = run("run", jar.toString(), "--random", "--batch", "2", "--top", "9");
        assertEquals(0, batch.code(), batch::toString);
        assertTrue(batch.out().startsWith("Tiny (jvm backend): 2 samples in "), batch.out());
        List<List<Printed>> two = printed(batch.out());
        assertEquals(2, two.size());
        assertEquals(5, two.get(1).size(), "--top is capped at the number of classes");
        assertEquals(p.get(0).get(0).cls(), two.get(0).get(0).cls(), "the same seed gives the same first sample");
        assertEquals(p.get(0).get(0).score(), two.get(0).get(0).score(), 1e-5);
    }

    @Test
    void runReadsOneSampleFromNpyAndWritesTheOutput() throws Exception {
        float[] x = randomInput(21);
        Path in = dir.resolve("x.npy"), out = dir.resolve("y.npy");
        Npy.write(in, new NpyArray(new int[] {3, 8, 8}, x));
        MainTest.Run r = run("run", jar.toString(), "--input", in.toString(), "--output", out.toString(), "--top", "1");
        assertEquals(0, r.code(), r::toString);
        NpyArray y = Npy.read(out);
        assertArrayEquals(new int[] {1, 5}, y.shape());
        assertArrayEquals(predict(jar, x), y.data());
        int best = argmax(y.data(), 0, 5);
        Printed top = printed(r.out()).get(0).get(0);
        assertEquals(best, top.cls());
        assertEquals(y.data()[best], top.score(), 1e-6);
    }

    @Test
    void runReadsABatchFromNpy() throws Exception {
        float[] a = randomInput(31), b = randomInput(32);
        float[] x = new float[a.length * 2];
        System.arraycopy(a, 0, x, 0, a.length);
        System.arraycopy(b, 0, x, a.length, b.length);
        Path in = dir.resolve("batch.npy"), out = dir.resolve("y.npy");
        Npy.write(in, new NpyArray(new int[] {2, 3, 8, 8}, x));
        MainTest.Run r = run("run", jar.toString(), "--input", in.toString(), "--output", out.toString(), "--top", "1");
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.out().startsWith("Tiny (jvm backend): 2 samples in "), r.out());
        NpyArray y = Npy.read(out);
        assertArrayEquals(new int[] {2, 5}, y.shape());
        float[] ya = predict(jar, a), yb = predict(jar, b);
        for (int i = 0; i < 5; i++) {
            assertEquals(ya[i], y.data()[i], 1e-6 * Math.max(1, Math.abs(ya[i])));
            assertEquals(yb[i], y.data()[5 + i], 1e-6 * Math.max(1, Math.abs(yb[i])));
        }
        List<List<Printed>> p = printed(r.out());
        assertEquals(argmax(y.data(), 0, 5), p.get(0).get(0).cls());
        assertEquals(argmax(y.data(), 5, 5), p.get(1).get(0).cls());
    }

    @Test
    void runOnAPictureWithLabels() throws IOException {
        BufferedImage image = new BufferedImage(16, 12, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 12; y++) {
            for (int x = 0; x < 16; x++) image.setRGB(x, y, new Color(x * 15, y * 20, (x * y) % 256).getRGB());
        }
        Path png = dir.resolve("picture.png");
        assertTrue(ImageIO.write(image, "png", png.toFile()));
        Path labels = Files.writeString(dir.resolve("labels.txt"), "cat\ndog\nbird\nfish\nfrog\n");
        MainTest.Run r = run("run", jar.toString(), "--image", png.toString(), "--labels", labels.toString());
        assertEquals(0, r.code(), r::toString);
        List<String> lines = r.out().lines().skip(1).toList();
        assertEquals(5, lines.size(), r.out());
        List<String> named = lines.stream().map(l -> l.substring(l.lastIndexOf(' ') + 1)).sorted().toList();
        assertEquals(List.of("bird", "cat", "dog", "fish", "frog"), named, r.out());
        String[] name = {"cat", "dog", "bird", "fish", "frog"};
        for (String l : lines) {
            Matcher m = LINE.matcher(l);
            assertTrue(m.matches(), l);
            assertEquals(name[Integer.parseInt(m.group(1))], m.group(3), l);
        }
    }

    // ---- run errors ----

    @Test
    void runWithoutAJarSaysSo() {
        Path absent = dir.resolve("absent.jar");
        assertEquals(absent + ": error: no such model jar", oneLineError(run("run", absent.toString(), "--random")));
    }

    @Test
    void runOfAJarWithoutTheModelClassAttributeSaysSo() throws IOException {
        Path plain = dir.resolve("plain.jar");
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        try (OutputStream os = Files.newOutputStream(plain); JarOutputStream j = new JarOutputStream(os, mf)) {
            j.putNextEntry(new JarEntry("readme.txt"));
            j.write("hello".getBytes());
            j.closeEntry();
        }
        String e = oneLineError(run("run", plain.toString(), "--random"));
        assertTrue(e.startsWith(plain + ": error: not a model jar: its manifest has no Cnnc-Model-Class"), e);

        Path notJar = Files.writeString(dir.resolve("text.jar"), "not a zip");
        String e2 = oneLineError(run("run", notJar.toString(), "--random"));
        assertTrue(e2.startsWith(notJar + ": error: not a jar file"), e2);
    }

    @Test
    void runOfAnNpyOfTheWrongShapeSaysWhatTheModelTakes() throws IOException {
        Path in = dir.resolve("wrong.npy");
        Npy.write(in, new NpyArray(new int[] {3, 7, 8}, new float[3 * 7 * 8]));
        String e = oneLineError(run("run", jar.toString(), "--input", in.toString()));
        assertEquals(in + ": error: the input has shape [3, 7, 8]; the model takes [3, 8, 8] or [N, 3, 8, 8]", e);

        Path flat = dir.resolve("flat.npy");
        Npy.write(flat, new NpyArray(new int[] {192}, new float[192]));
        assertTrue(oneLineError(run("run", jar.toString(), "--input", flat.toString())).contains("has shape [192]"));

        Path garbage = Files.writeString(dir.resolve("garbage.npy"), "not numpy");
        assertTrue(oneLineError(run("run", jar.toString(), "--input", garbage.toString()))
                .startsWith(garbage + ": error: cannot read the input"));
    }

    @Test
    void runOfAnUnreadablePictureSaysSo() throws IOException {
        Path fake = Files.writeString(dir.resolve("fake.png"), "not a picture");
        String e = oneLineError(run("run", jar.toString(), "--image", fake.toString()));
        assertTrue(e.startsWith(fake + ": error: "), e);
        assertTrue(e.equals(fake + ": error: not a picture ImageIO can read (PNG, JPEG, BMP, GIF)"), e);
        Path missing = dir.resolve("missing.png");
        assertTrue(oneLineError(run("run", jar.toString(), "--image", missing.toString())).startsWith(missing + ": error: "));
    }

    @Test
    void runWithLabelsItCannotReadSaysSo() {
        Path absent = dir.resolve("labels.txt");
        MainTest.Run r = run("run", jar.toString(), "--random", "--labels", absent.toString());
        assertEquals(absent + ": error: cannot read the labels: no such file or directory", oneLineError(r));
        assertEquals("", r.out(), "nothing is run");
    }

    @Test
    void runWithAnOutputItCannotWriteSaysSo() {
        Path out = dir.resolve("no-such-directory").resolve("y.npy");
        MainTest.Run r = run("run", jar.toString(), "--random", "--output", out.toString());
        assertEquals(out + ": error: cannot write the output: no such file or directory", oneLineError(r));
    }

    // ---- explain ----

    static int kernels(String explain) {
        Matcher m = Pattern.compile("^\\S+ at [^:]+: (\\d+) layers? in (\\d+) kernels?$", Pattern.MULTILINE).matcher(explain);
        assertTrue(m.find(), explain);
        return Integer.parseInt(m.group(2));
    }

    @Test
    void explainShowsEveryPassAndFewerKernelsAtLevelTwo() {
        MainTest.Run o2 = run("explain", tiny.toString());
        MainTest.Run o0 = run("explain", tiny.toString(), "-O0");
        assertEquals(0, o2.code(), o2::toString);
        assertEquals(0, o0.code(), o0::toString);
        for (String pass : Optimizer.names()) {
            assertTrue(o2.out().contains("  " + pass + " "), pass);
            assertTrue(o0.out().contains("  " + pass + " "), pass);
        }
        assertTrue(o2.out().startsWith("Tiny at -O2: 12 layers in "), o2.out());
        assertTrue(o0.out().startsWith("Tiny at -O0: 12 layers in "), o0.out());
        assertTrue(kernels(o2.out()) < kernels(o0.out()), o2.out() + o0.out());
        assertTrue(o0.out().contains("off (runs from -O1)"), o0.out());
        assertEquals(5, kernels(o2.out()), o2.out());
    }

    @Test
    void explainWithoutFoldingKeepsTheBatchNormKernels() {
        MainTest.Run r = run("explain", tiny.toString(), "--no-fuse=fold-bn");
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.out().startsWith("Tiny at -O2 --no-fuse=fold-bn: "), r.out());
        assertTrue(r.out().contains("fold-bn          fold BatchNorm into the preceding conv or fc: off (switched off by --no-fuse)"), r.out());
        long bnKernels = r.out().lines().filter(l -> l.matches("\\s+k\\d+\\s+\\S+\\s+bn( .*)?")).count();
        assertEquals(2, bnKernels, r.out());
        assertTrue(kernels(r.out()) > kernels(run("explain", tiny.toString()).out()));
    }

    @Test
    void explainNamesWinogradWhereTheRuntimeTakesIt() throws IOException {
        Path net = Files.writeString(dir.resolve("convs.cnn"), """
                network Convs {
                  input 16x16x16
                  conv(16, k=3, p=1) -> conv(16, k=3, s=2, p=1) -> conv(24, k=3, p=1) -> conv(8, k=3, p=1)
                  -> conv(16, k=3, p=1) -> conv(16, k=3)
                }
                """);
        MainTest.Run r = run("explain", net.toString(), "-O0");
        assertEquals(0, r.code(), r::toString);
        List<String> kernels = r.out().lines().filter(l -> l.matches("\\s+k\\d+ .*")).toList();
        assertEquals(6, kernels.size(), r.out());
        // 16 or more channels each side on a 16×16 or 8×8 map: Winograd; stride 2, 8 channels out or
        // in: the matrix product; a 6×6 output (one panel of 9 tiles against the matrix product's
        // 46 extended columns) as the runtime decides for this machine's vector width
        List<Boolean> winograd = kernels.stream().map(l -> l.contains("Winograd F(2×2, 3×3)")).toList();
        boolean sixBySix = Conv2d.winogradTile(16, 8, 8, 16, 3, 3, 1, 1, 0, 0, 1, 1, 1) > 0;
        assertEquals(List.of(true, false, true, false, false, sixBySix), winograd, r.out());

        // 64 channels at 28×28: 4×4 tiles; at 14×14 (one panel of 16 tiles against two of 49) 2×2
        Path larger = Files.writeString(dir.resolve("larger.cnn"), """
                network Larger {
                  input 64x28x28
                  conv(64, k=3, p=1) -> maxpool -> conv(64, k=3, p=1)
                }
                """);
        MainTest.Run l = run("explain", larger.toString(), "-O0");
        assertEquals(0, l.code(), l::toString);
        List<String> convs = l.out().lines().filter(x -> x.matches("\\s+k\\d+ .*") && x.contains("conv")).toList();
        assertEquals(2, convs.size(), l.out());
        assertTrue(convs.get(0).contains("Winograd F(4×4, 3×3)"), l.out());
        assertTrue(convs.get(1).contains("Winograd F(2×2, 3×3)"), l.out());
    }

    @Test
    void explainShowsWhichConvsStoreOverTheirResidual() throws IOException {
        Path net = Files.writeString(dir.resolve("blocks.cnn"), """
                network Blocks {
                  input 64x64x64
                  stem: conv(64, k=3, p=1) -> relu
                  -> add { [a: conv(64, k=3, p=1) -> relu -> b: conv(64, k=3, p=1)] | identity } -> relu
                  -> add { [c: conv(64, k=3, p=1)] | identity } -> relu -> fc(3)
                }
                """);
        MainTest.Run r = run("explain", net.toString());
        assertEquals(0, r.code(), r::toString);
        // b adds the stem's output (1 MiB, large enough to be written over), which nothing reads
        // after it; c adds its own input, which it reads at other pixels than the one it stores
        assertTrue(line(r.out(), "b ").contains("stores over its residual"), r.out());
        assertFalse(line(r.out(), "c ").contains("stores over its residual"), r.out());
        assertTrue(r.out().contains("outputs stored over their residual:   1 "), r.out());
        assertFalse(run("explain", net.toString(), "-O0").out().contains("stored over"), "no fused residual at -O0");
    }

    /** The kernel line of layer {@code name} (its name and a space) in explain's output. */
    private static String line(String explain, String name) {
        return explain.lines().filter(l -> l.matches("\\s+k\\d+\\s+" + java.util.regex.Pattern.quote(name) + ".*"))
                .findFirst().orElseThrow(() -> new AssertionError("no kernel line for " + name + " in\n" + explain));
    }

    @Test
    void explainRejectsAnUnknownLevelOrPass() {
        String level = oneLineError(run("explain", tiny.toString(), "-O3"));
        assertEquals("-O: error: the levels are 0, 1 and 2, not 3", level);
        String pass = oneLineError(run("explain", tiny.toString(), "--no-fuse=nope"));
        assertEquals("--no-fuse: error: there is no pass 'nope'; the passes are " + String.join(", ", Optimizer.names()), pass);
    }

    static int argmax(float[] y, int from, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) if (y[from + i] > y[from + best]) best = i;
        return best;
    }
}
