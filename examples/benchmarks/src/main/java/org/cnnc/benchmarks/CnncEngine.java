package org.cnnc.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.jar.JarFile;
import org.cnnc.runtime.Model;

/**
 * A model jar written by {@code cnnc build}, loaded through its own class loader (the model
 * class is named by the jar's {@code Cnnc-Model-Class} manifest attribute; the jar's own copy of
 * the runtime is used, see {@link ModelClassLoader}) and run with
 * {@link Model#predict(float[], float[], int)} into a caller-owned output array. Where the
 * model class is already on the class path (run.sh puts the jars there for targets that need
 * it, such as tornadovm), that class is used instead.
 */
public final class CnncEngine implements Engine {
    private final URLClassLoader loader;
    private final Model model;
    private final float[] input;
    private final float[] output;
    private final int batch;

    private CnncEngine(URLClassLoader loader, Model model, int batch) {
        this.loader = loader;
        this.model = model;
        this.batch = batch;
        this.input = Inputs.normal(Math.multiplyExact(model.inputSize(), batch), Inputs.SEED);
        this.output = new float[Math.multiplyExact(model.outputSize(), batch)];
    }

    /** Loads the jar's model with {@code threads} kernel threads, ready to run {@code batch} samples. */
    public static CnncEngine open(Path jar, int batch, int threads) {
        URLClassLoader loader = null;
        try {
            if (!Files.isRegularFile(jar)) throw new IllegalArgumentException("no model jar " + jar + " (run run.sh, which builds it)");
            String className;
            try (JarFile file = new JarFile(jar.toFile())) {
                className = file.getManifest().getMainAttributes().getValue("Cnnc-Model-Class");
            }
            if (className == null) throw new IllegalArgumentException(jar + " has no Cnnc-Model-Class in its manifest");
            Class<?> onClassPath = onClassPath(className);
            if (onClassPath == null) loader = new ModelClassLoader(jar.toUri().toURL());
            Class<? extends Model> type = (onClassPath != null ? onClassPath : Class.forName(className, true, loader))
                    .asSubclass(Model.class);
            Model model = type.getConstructor(int.class).newInstance(threads);
            return new CnncEngine(loader, model, batch);
        } catch (IOException e) {
            closeQuietly(loader);
            throw new UncheckedIOException("cannot read " + jar, e);
        } catch (ReflectiveOperationException e) {
            closeQuietly(loader);
            Throwable cause = e instanceof InvocationTargetException ite ? ite.getCause() : e;
            throw new IllegalStateException("cannot load the model in " + jar + ": " + cause, cause);
        }
    }

    private static Class<?> onClassPath(String className) {
        try {
            return Class.forName(className, true, Model.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            return null;
        }
    }

    public Model model() {
        return model;
    }

    @Override
    public Object run() {
        model.predict(input, output, batch);
        return output;
    }

    @Override
    public float[] outputHead(int n) {
        return Arrays.copyOf(output, Math.min(n, output.length));
    }

    @Override
    public void close() {
        model.close();
        closeQuietly(loader);
    }

    private static void closeQuietly(URLClassLoader loader) {
        if (loader == null) return;
        try {
            loader.close();
        } catch (IOException ignored) {
            // nothing left to release
        }
    }
}
