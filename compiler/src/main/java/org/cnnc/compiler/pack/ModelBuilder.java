package org.cnnc.compiler.pack;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.cnnc.compiler.diag.CompileError;
import org.cnnc.compiler.diag.Pos;
import org.cnnc.compiler.emit.jvm.JvmEmitter;
import org.cnnc.compiler.emit.tornado.TornadoEmitter;
import org.cnnc.compiler.lower.KernelPlan;
import org.cnnc.compiler.lower.Lowering;
import org.cnnc.compiler.optimize.Optimizer;
import org.cnnc.compiler.shape.ShapedGraph;
import org.cnnc.compiler.weights.Weights;
import org.cnnc.compiler.weights.WeightsFile;
import org.cnnc.runtime.Model;

/**
 * The last stage: shaped graph and weights to a model jar holding the compiled classes, their
 * source, the runtime they need, the weights as a resource, and the model's metadata in the
 * manifest. The jar is written to a temporary file and moved into place, so a failed build
 * leaves nothing behind.
 */
public final class ModelBuilder {
    /** Manifest attribute naming the model class. */
    public static final String MODEL_CLASS = "Cnnc-Model-Class";

    /** What to build. {@code metadata} lands in the manifest and in {@link Model#metadata()}. */
    public record Request(ShapedGraph shaped, Weights weights, String packageName, String className,
                          Map<String, String> metadata, Optimizer.Settings optimization) {
        /** A request with the default optimization (-O2). */
        public Request(ShapedGraph shaped, Weights weights, String packageName, String className, Map<String, String> metadata) {
            this(shaped, weights, packageName, className, metadata, Optimizer.Settings.DEFAULT);
        }
    }

    /** The kernel plan of a request: its graph optimized as asked, then lowered. */
    public static KernelPlan plan(ShapedGraph shaped, Optimizer.Settings optimization) {
        return Lowering.lower(shaped, Optimizer.optimize(shaped.graph(), optimization).graph());
    }

    private ModelBuilder() {}

    /** Writes the generated sources under {@code dir} (as a source root) and returns the files. */
    public static List<Path> emitSources(Request r, Path dir) throws IOException {
        return emitSources(r, dir, Target.JVM);
    }

    /** What the generated code runs on. */
    public enum Target {
        /** Java kernels on the JVM's threads. */
        JVM,
        /** {@code @Parallel} kernels in TornadoVM TaskGraphs, with the same kernels as JVM loops where TornadoVM is absent. */
        TORNADOVM;

        /** The name on the command line and in the metadata. */
        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Writes the generated sources of {@code target} under {@code dir} (as a source root) and returns the files. */
    public static List<Path> emitSources(Request r, Path dir, Target target) throws IOException {
        KernelPlan plan = plan(r.shaped(), r.optimization());
        if (target == Target.TORNADOVM) {
            TornadoEmitter.Output out = TornadoEmitter.emit(plan, r.packageName(), r.className(), r.metadata());
            List<Path> files = new java.util.ArrayList<>();
            for (var f : out.all()) files.add(f.writeToPath(dir));
            return files;
        }
        JvmEmitter.Output out = JvmEmitter.emit(plan, r.packageName(), r.className(), r.metadata());
        return List.of(out.file().writeToPath(dir));
    }

    /** Writes the weights resource the model class loads, under the resource root {@code root}; returns its path. */
    public static Path writeWeightsResource(Request r, Path root) {
        Path file = root.resolve(r.packageName().replace('.', '/')).resolve(r.className() + ".safetensors");
        try {
            Files.createDirectories(file.getParent());
            WeightsFile.write(r.weights(), r.shaped().graph(), file, r.metadata());
            return file;
        } catch (IOException e) {
            throw new CompileError(Pos.none(file.toString()), "cannot write the weights: " + e.getMessage());
        }
    }

    public static void buildJar(Request r, Path jar, Consumer<String> progress) {
        buildJar(r, jar, progress, Target.JVM, null);
    }

    /**
     * Builds the model jar of {@code target}. The tornadovm target compiles against TornadoVM's
     * API jar {@code tornadoApi} (see {@code TornadoApi.locate}), which the model jar does not include.
     */
    public static void buildJar(Request r, Path jar, Consumer<String> progress, Target target, Path tornadoApi) {
        if (target == Target.TORNADOVM && tornadoApi == null) throw new IllegalArgumentException("the tornadovm target needs TornadoVM's API jar");
        Path work = null;
        Path partial = null;
        try {
            work = Files.createTempDirectory("cnnc-build");
            Path sources = work.resolve("src"), classes = work.resolve("classes");
            progress.accept("emitting Java source");
            List<Path> files = emitSources(r, sources, target);
            progress.accept("compiling");
            Path runtime = runtimeLocation();
            InProcessCompiler.compile(files, classes, target == Target.TORNADOVM ? List.of(runtime, tornadoApi) : List.of(runtime));

            long bytes = 4L * r.weights().all().values().stream().mapToLong(a -> a.length).sum();
            progress.accept(String.format("writing weights (%,d bytes)", bytes));
            writeWeightsResource(r, classes);

            progress.accept("writing " + jar.getFileName());
            Path parent = jar.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            partial = Files.createTempFile(parent, "." + jar.getFileName(), ".partial");
            try (OutputStream out = Files.newOutputStream(partial); JarWriter w = new JarWriter(out, manifest(r))) {
                w.addTree(classes);
                w.addTree(sources);
                w.addClassesOf(runtime);
            }
            Files.move(partial, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            partial = null;
        } catch (IOException e) {
            throw new CompileError(Pos.none(jar.toString()), "cannot write the model: " + e.getMessage());
        } finally {
            delete(partial);
            delete(work);
        }
    }

    private static Map<String, String> manifest(Request r) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("Created-By", "cnnc");
        m.put(MODEL_CLASS, r.packageName() + "." + r.className());
        r.metadata().forEach((k, v) -> m.put("Cnnc-" + k.substring(0, 1).toUpperCase() + k.substring(1)
                .replaceAll("[^A-Za-z0-9_-]", "-"), v));
        return m;
    }

    /** The jar or classes directory the runtime's classes come from. */
    static Path runtimeLocation() {
        Path location;
        try {
            location = Path.of(Model.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate the cnnc runtime", e);
        }
        // A model jar without the runtime would fail only when it runs: refuse to write one.
        boolean complete = Files.isDirectory(location)
                ? Files.isRegularFile(location.resolve("org/cnnc/runtime/Model.class"))
                        && Files.isDirectory(location.resolve("org/cnnc/runtime/kernels"))
                : Files.isRegularFile(location);
        if (!complete) throw new IllegalStateException("the cnnc runtime at " + location + " is incomplete");
        return location;
    }

    private static void delete(Path p) {
        if (p == null || !Files.exists(p)) return;
        try (Stream<Path> walk = Files.walk(p)) {
            walk.sorted(Comparator.reverseOrder()).forEach(f -> {
                try {
                    Files.delete(f);
                } catch (IOException ignored) {
                    // a leftover temporary file is harmless
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
