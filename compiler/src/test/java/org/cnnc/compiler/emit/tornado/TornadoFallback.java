package org.cnnc.compiler.emit.tornado;

import com.palantir.javapoet.JavaFile;
import com.sun.source.util.JavacTask;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import org.cnnc.compiler.optimize.Optimizer;
import org.cnnc.compiler.pack.InProcessCompiler;
import org.cnnc.compiler.pack.ModelBuilder;
import org.cnnc.compiler.shape.ShapedGraph;
import org.cnnc.compiler.weights.Weights;
import org.cnnc.runtime.Model;

/**
 * Builds the tornadovm target of a network without TornadoVM, as the tests here must: the
 * model class and its JVM kernels compiled with the JDK's javac against the cnnc runtime
 * alone (the TornadoVM kernels and the TaskGraph class, which need TornadoVM's API jar, are
 * left out), the weights written beside them, and the model loaded from that directory.
 * Also reads sources with javac's own parser.
 */
public final class TornadoFallback {
    public static final String PACKAGE = "test.tornado";

    /** A built fallback: the loaded model and the sources it came from. */
    public record Built(Model model, TornadoEmitter.Output sources, Path classes) {}

    private TornadoFallback() {}

    public static TornadoEmitter.Output emit(ShapedGraph shaped, Optimizer.Settings optimization, String className) {
        return TornadoEmitter.emit(ModelBuilder.plan(shaped, optimization), PACKAGE, className,
                Map.of("network", shaped.graph().name(), "target", "tornadovm", "optimization", optimization.toString()));
    }

    /** Emits, compiles and loads the fallback of {@code shaped} with {@code weights}, under {@code dir}, on {@code threads} threads. */
    public static Built build(ShapedGraph shaped, Weights weights, Optimizer.Settings optimization, String className, Path dir,
                              int threads) {
        try {
            TornadoEmitter.Output out = emit(shaped, optimization, className);
            Path src = Files.createDirectories(dir.resolve("src")), classes = Files.createDirectories(dir.resolve("classes"));
            List<Path> files = new ArrayList<>();
            for (JavaFile f : out.withoutTornado()) files.add(f.writeToPath(src));
            InProcessCompiler.compile(files, classes, List.of(runtime()));
            ModelBuilder.writeWeightsResource(new ModelBuilder.Request(shaped, weights, PACKAGE, className, Map.of(), optimization),
                    classes);
            URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, TornadoFallback.class.getClassLoader());
            Model model = (Model) Class.forName(PACKAGE + "." + className, true, loader).getConstructor(int.class).newInstance(threads);
            return new Built(model, out, classes);
        } catch (IOException | ReflectiveOperationException e) {
            throw new IllegalStateException("cannot build the fallback of " + shaped.graph().name(), e);
        }
    }

    static Path runtime() {
        try {
            return Path.of(Model.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** javac's parse errors in {@code source} (no class path, no attribution): empty when it is valid Java. */
    public static List<String> parseErrors(String source) {
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        JavaFileObject file = new SimpleJavaFileObject(URI.create("string:///Source.java"), JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return source;
            }
        };
        JavacTask task = (JavacTask) ToolProvider.getSystemJavaCompiler()
                .getTask(null, null, diagnostics, List.of("-proc:none", "-classpath", ""), null, List.of(file));
        try {
            if (!task.parse().iterator().hasNext()) return List.of("nothing parsed");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return diagnostics.getDiagnostics().stream().filter(d -> d.getKind() == Diagnostic.Kind.ERROR && d.getSource() == file)
                .map(d -> d.getLineNumber() + ": " + d.getMessage(Locale.ROOT)).toList();
    }

    /**
     * The kernel methods of a kernel class, as text, with what the dialects may differ in made
     * equal: {@code @Parallel} dropped, {@code TornadoMath.f(} read as {@code java.lang.Math}'s
     * (with the cast its double result needs), imports, the class header and comments dropped.
     */
    public static String normalisedKernels(String source) {
        String body = source.substring(source.indexOf("private ") );
        body = body.replaceAll("(?s)/\\*\\*.*?\\*/", "");
        body = body.replace("@Parallel ", "");
        for (String f : List.of("exp", "tanh", "pow")) body = body.replace("TornadoMath." + f + "(", "(float) Math." + f + "(");
        body = body.replace("TornadoMath.", "Math.");
        return body.replaceAll("private \\w+\\(\\)", "private K()").replaceAll("\\n\\s*\\n", "\n");
    }
}
