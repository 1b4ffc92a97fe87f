package org.cnnc.benchmarks;

import java.net.URL;
import java.net.URLClassLoader;
import org.cnnc.runtime.Model;

/**
 * Loads a model jar on its own terms: every class and resource the jar holds (the model, and
 * the copy of the cnnc runtime and kernels it was built with) comes from the jar, and only the
 * {@link Model} interface is shared with the benchmark. So a benchmark measures the jar as
 * shipped, whichever cnnc built it, and not the runtime on the benchmark's class path.
 */
final class ModelClassLoader extends URLClassLoader {
    static {
        registerAsParallelCapable();
    }

    ModelClassLoader(URL jar) {
        super(new URL[] {jar}, Model.class.getClassLoader());
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (name.equals(Model.class.getName())) return Model.class;
        synchronized (getClassLoadingLock(name)) {
            Class<?> type = findLoadedClass(name);
            if (type == null) {
                try {
                    type = findClass(name);
                } catch (ClassNotFoundException notInJar) {
                    type = super.loadClass(name, false);
                }
            }
            if (resolve) resolveClass(type);
            return type;
        }
    }

    @Override
    public URL getResource(String name) {
        URL url = findResource(name);
        return url != null ? url : super.getResource(name);
    }
}
