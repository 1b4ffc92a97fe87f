package org.cnnc.runtime.kernels;

/**
 * Whether the Vector API ({@code jdk.incubator.vector}) is in the boot layer, and the kernel
 * implementation that follows. This class names no vector type: the vector kernels are loaded
 * by name only when the module is present, since without it any class naming a vector type
 * fails to load.
 */
public final class VectorSupport {
    static final String WARNING = "cnnc: the Vector API is not available; kernels run as plain loops (about 30× slower)."
            + " Add --add-modules jdk.incubator.vector to the java command.";
    private static final String VECTOR_BACKEND = "org.cnnc.runtime.kernels.VectorBackend";

    private VectorSupport() {}

    private static final class Holder {
        static final Backend VECTOR = load();
        static final Backend SCALAR = new ScalarBackend();
        static boolean warned;

        private static Backend load() {
            if (!ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) return null;
            try {
                return (Backend) Class.forName(VECTOR_BACKEND).getDeclaredConstructor().newInstance();
            } catch (ReflectiveOperationException | LinkageError e) {
                return null;
            }
        }
    }

    /** True when the vector kernels run here. */
    public static boolean available() {
        return Holder.VECTOR != null;
    }

    /** What the kernels run on, e.g. "Vector API, 512-bit vectors (16 floats)" or "plain loops". */
    public static String describe() {
        return available() ? Holder.VECTOR.describe() : Holder.SCALAR.describe();
    }

    /**
     * Columns of the vector kernels' column panels (two vectors), by which they choose between
     * Winograd and the matrix product; where they do not run, the plain loops' neutral answer.
     */
    static int panelColumns() {
        return (available() ? Holder.VECTOR : Holder.SCALAR).panelColumns();
    }

    /**
     * Starts compiling the vector kernels on a background thread (once per JVM), so that a
     * model's first call does not run them in the interpreter; models call this as they begin
     * to load. Does nothing without the Vector API or with {@code -Dcnnc.warmup=false}.
     */
    public static void warmUp() {
        if (available() && !"false".equals(System.getProperty("cnnc.warmup"))) Warmup.start();
    }

    /** Ends the warm-up of {@link #warmUp()}, if it runs: a model's calls compile the kernels from here on. */
    public static void endWarmUp() {
        Warmup.stop();
    }

    /** The implementation to use: the vector kernels where available, else plain loops (saying so once). */
    static Backend backend() {
        if (available()) return Holder.VECTOR;
        warnOnce();
        return Holder.SCALAR;
    }

    /** One implementation, chosen explicitly (tests); the vector one fails when it is not available. */
    static Backend backend(Impl impl) {
        return switch (impl) {
            case AUTO -> backend();
            case SCALAR -> Holder.SCALAR;
            case VECTOR -> {
                if (!available()) throw new IllegalStateException("the Vector API is not available");
                yield Holder.VECTOR;
            }
        };
    }

    private static void warnOnce() {
        synchronized (Holder.class) {
            if (Holder.warned) return;
            Holder.warned = true;
        }
        System.err.println(WARNING);
    }

    /** Which implementation a factory uses. */
    enum Impl { AUTO, VECTOR, SCALAR }
}
