package org.cnnc.compiler.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.jar.JarFile;
import org.cnnc.compiler.diag.CompileError;
import org.cnnc.compiler.diag.Pos;
import org.cnnc.compiler.pack.ModelBuilder;
import org.cnnc.runtime.Model;
import org.cnnc.runtime.io.Images;
import org.cnnc.runtime.io.Npy;
import org.cnnc.runtime.io.NpyArray;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Runs a model jar built by `cnnc build` on an input and prints the top classes.")
final class RunCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL.jar", description = "a jar written by `cnnc build`")
    Path jar;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    static final class Input {
        @Option(names = "--input", paramLabel = "X.npy",
                description = "a NumPy array of one sample (C, H, W) or a batch (N, C, H, W)")
        Path npy;

        @Option(names = "--image", paramLabel = "PICTURE", description = "a PNG, JPEG, BMP or GIF picture")
        Path image;

        @Option(names = "--random", description = "a seeded random input (see --seed)")
        boolean random;
    }

    @Option(names = "--size", paramLabel = "S", description = "with --image: the side the picture is scaled and cropped to (default: the model's input)")
    Integer size;

    @Option(names = "--mean", paramLabel = "M", split = ",", description = "with --image: per-channel mean (default: ImageNet's 0.485,0.456,0.406 for RGB, 0.5 for grey)")
    float[] mean;

    @Option(names = "--std", paramLabel = "S", split = ",", description = "with --image: per-channel standard deviation (default: ImageNet's 0.229,0.224,0.225 for RGB, 0.5 for grey)")
    float[] std;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "with --random: the seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "1", description = "with --random: the batch size (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--top", paramLabel = "K", defaultValue = "5", description = "how many classes to print per sample (default: ${DEFAULT-VALUE})")
    int top;

    @Option(names = "--labels", paramLabel = "FILE", description = "class names, one per line")
    Path labels;

    @Option(names = "--output", paramLabel = "Y.npy", description = "also write the outputs as a NumPy array")
    Path output;

    @Option(names = "--threads", paramLabel = "N", description = "threads for the kernels (default: all processors)")
    Integer threads;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (top < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--top must be at least 1");
        if (batch < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--batch must be at least 1");
        if (threads != null && threads < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--threads must be at least 1");
        PrintWriter out = spec.commandLine().getOut();
        List<String> names = labels == null ? List.of() : readLabels(labels);
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, RunCommand.class.getClassLoader());
             Model model = load(loader)) {
            int n = batch;
            float[] x;
            if (input.npy != null) {
                NpyArray a = readNpy(input.npy);
                n = samples(a.shape(), model.inputShape(), input.npy);
                x = a.data();
            } else if (input.image != null) {
                n = 1;
                x = image(model);
            } else {
                x = new float[n * model.inputSize()];
                SplittableRandom rnd = new SplittableRandom(seed);
                for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
            }
            float[] y = new float[n * model.outputSize()];
            long start = System.nanoTime();
            model.predict(x, y, n);
            double ms = (System.nanoTime() - start) / 1e6;
            out.printf(Locale.ROOT, "%s (%s backend): %d sample%s in %.1f ms (first call, includes JIT warm-up)%n",
                    model.name(), model.backend(), n, n == 1 ? "" : "s", ms);
            int per = model.outputSize();
            for (int s = 0; s < n; s++) {
                if (n > 1) out.println("sample " + s + ":");
                for (int c : topK(y, s * per, per, Math.min(top, per))) {
                    String label = c < names.size() ? "  " + names.get(c) : "";
                    out.printf(Locale.ROOT, "  %6d  %12.6f%s%n", c, y[s * per + c], label);
                }
            }
            if (output != null) {
                int[] shape = new int[model.outputShape().length + 1];
                shape[0] = n;
                System.arraycopy(model.outputShape(), 0, shape, 1, shape.length - 1);
                try {
                    Npy.write(output, new NpyArray(shape, y));
                } catch (IOException e) {
                    throw new CompileError(Pos.none(output.toString()), "cannot write the output: " + reason(e));
                }
            }
        }
        return 0;
    }

    private Model load(URLClassLoader loader) {
        Pos where = Pos.none(jar.toString());
        if (!Files.isRegularFile(jar)) throw new CompileError(where, "no such model jar");
        String className;
        try (JarFile j = new JarFile(jar.toFile())) {
            className = j.getManifest() == null ? null
                    : j.getManifest().getMainAttributes().getValue(ModelBuilder.MODEL_CLASS);
        } catch (IOException e) {
            throw new CompileError(where, "not a jar file: " + e.getMessage());
        }
        if (className == null) {
            throw new CompileError(where, "not a model jar: its manifest has no " + ModelBuilder.MODEL_CLASS + " (build it with `cnnc build`)");
        }
        try {
            Class<?> c = Class.forName(className, true, loader);
            if (threads != null) return (Model) c.getConstructor(int.class).newInstance(threads);
            return (Model) c.getConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError | ClassCastException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new CompileError(where, "cannot load model class " + className + ": " + cause);
        }
    }

    private static List<String> readLabels(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new CompileError(Pos.none(file.toString()), "cannot read the labels: " + reason(e));
        }
    }

    private static String reason(IOException e) {
        if (e instanceof java.nio.file.NoSuchFileException) return "no such file or directory";
        if (e instanceof java.nio.file.AccessDeniedException) return "permission denied";
        return e.getMessage();
    }

    private static NpyArray readNpy(Path file) {
        try {
            return Npy.read(file);
        } catch (IOException e) {
            throw new CompileError(Pos.none(file.toString()), "cannot read the input: " + e.getMessage());
        }
    }

    /** The batch size an array's shape implies: the model's input shape, optionally with a leading batch dimension. */
    static int samples(int[] shape, int[] sample, Path file) {
        int[] tail = shape.length == sample.length + 1 ? Arrays.copyOfRange(shape, 1, shape.length) : shape;
        if (!Arrays.equals(tail, sample) || shape.length == sample.length + 1 && shape[0] < 1) {
            throw new CompileError(Pos.none(file.toString()), "the input has shape " + Arrays.toString(shape)
                    + "; the model takes " + Arrays.toString(sample) + " or [N, " + Arrays.toString(sample).substring(1));
        }
        return shape.length == sample.length ? 1 : shape[0];
    }

    private float[] image(Model model) throws IOException {
        int[] s = model.inputShape();
        Pos where = Pos.none(input.image.toString());
        if (s.length != 3 || (s[0] != 1 && s[0] != 3)) {
            throw new CompileError(where, "the model's input " + Arrays.toString(s) + " is not a picture (1 or 3 channels)");
        }
        int side = size != null ? size : s[1];
        if (side != s[1] || side != s[2]) {
            throw new CompileError(where, "the model takes " + s[1] + "×" + s[2] + " pictures, not " + side + "×" + side);
        }
        float[] m = mean != null ? mean : s[0] == 3 ? new float[] {0.485f, 0.456f, 0.406f} : new float[] {0.5f};
        float[] d = std != null ? std : s[0] == 3 ? new float[] {0.229f, 0.224f, 0.225f} : new float[] {0.5f};
        if (m.length != s[0] || d.length != s[0]) {
            throw new CompileError(where, "--mean and --std need " + s[0] + " values each");
        }
        try {
            return Images.read(input.image, s[0], side, m, d);
        } catch (IOException | IllegalArgumentException e) {
            throw new CompileError(where, e.getMessage());
        }
    }

    /** Indices of the k largest values of {@code y[from, from + n)}, largest first. */
    static List<Integer> topK(float[] y, int from, int n, int k) {
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < n; i++) idx.add(i);
        idx.sort((a, b) -> Float.compare(y[from + b], y[from + a]));
        return idx.subList(0, k);
    }
}
