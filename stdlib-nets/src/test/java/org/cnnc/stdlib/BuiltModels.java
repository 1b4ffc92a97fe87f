package org.cnnc.stdlib;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.cnnc.compiler.Pipeline;
import org.cnnc.compiler.emit.ModelNames;
import org.cnnc.compiler.optimize.Optimizer;
import org.cnnc.compiler.pack.ModelBuilder;
import org.cnnc.compiler.shape.ShapedGraph;
import org.cnnc.compiler.weights.Weights;
import org.cnnc.runtime.Model;

/**
 * Stdlib networks built into model jars once per test run (in a temporary directory), loaded
 * from those jars, and shared by the tests that need them.
 */
final class BuiltModels {
    static final long WEIGHT_SEED = 7;

    /** A built network: its shaped graph, the weights it was built with, its jar and the loaded model. */
    record Built(String name, ShapedGraph shaped, Weights weights, Path jar, Model model) {}

    private static final Map<String, Built> CACHE = new ConcurrentHashMap<>();
    private static Path dir;

    private BuiltModels() {}

    /** The stdlib network {@code name} with parameter overrides, built at -O2 with seeded He weights. */
    static Built get(String name, Map<String, String> params) {
        return get(name, params, Optimizer.Settings.DEFAULT);
    }

    static Built get(String name, Map<String, String> params, Optimizer.Settings optimization) {
        return CACHE.computeIfAbsent(name + params + optimization, key -> build(name, params, optimization));
    }

    private static synchronized Path dir() throws java.io.IOException {
        if (dir == null) {
            dir = Files.createTempDirectory("cnnc-stdlib-models");
            dir.toFile().deleteOnExit();
        }
        return dir;
    }

    private static Built build(String name, Map<String, String> params, Optimizer.Settings optimization) {
        try {
            ShapedGraph shaped = Pipeline.shaped(Pipeline.source(name), null, params);
            Weights weights = Weights.heInit(shaped.graph(), WEIGHT_SEED);
            String className = ModelNames.className(shaped.graph().name());
            Path jar = dir().resolve(name + "-" + Integer.toHexString(params.hashCode()) + "-O" + optimization.level() + ".jar");
            ModelBuilder.buildJar(new ModelBuilder.Request(shaped, weights, "test.models", className,
                    Map.of("network", shaped.graph().name(), "optimization", optimization.toString()), optimization), jar, message -> { });
            jar.toFile().deleteOnExit();
            URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, BuiltModels.class.getClassLoader());
            Model model = (Model) Class.forName("test.models." + className, true, loader)
                    .getConstructor(int.class).newInstance(2);
            return new Built(name, shaped, weights, jar, model);
        } catch (Exception e) {
            throw new IllegalStateException("cannot build " + name + " " + params, e);
        }
    }
}
