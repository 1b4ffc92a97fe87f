package org.cnnc.compiler.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import javax.lang.model.SourceVersion;
import org.cnnc.compiler.diag.CompileError;
import org.cnnc.compiler.diag.Pos;
import org.cnnc.compiler.emit.ModelNames;
import org.cnnc.compiler.ir.Graph;
import org.cnnc.compiler.optimize.Optimizer;
import org.cnnc.compiler.pack.ModelBuilder;
import org.cnnc.compiler.shape.ShapedGraph;
import picocli.CommandLine.Option;

/** {@code --package}, {@code --class} and {@code --target} of a generated model, and the metadata it carries. */
final class ModelOptions {
    @Option(names = "--package", paramLabel = "P", defaultValue = "cnnc.models",
            description = "Java package of the generated class (default: ${DEFAULT-VALUE})")
    String packageName;

    @Option(names = "--class", paramLabel = "C",
            description = "name of the generated class (default: the network's name)")
    String className;

    @Option(names = "--target", paramLabel = "T", defaultValue = "jvm",
            description = "what the kernels run on: jvm, or tornadovm (@Parallel kernels in TornadoVM TaskGraphs, "
                    + "the same kernels as JVM loops where TornadoVM is absent; see docs/tornadovm.md) (default: ${DEFAULT-VALUE})")
    String target;

    /** The target asked for with --target. */
    ModelBuilder.Target target() {
        for (ModelBuilder.Target t : ModelBuilder.Target.values()) {
            if (t.id().equalsIgnoreCase(target.strip())) return t;
        }
        throw new CompileError(Pos.none("--target"), "there is no target '" + target + "': the targets are jvm and tornadovm");
    }

    /** The class name to generate; checks it and the package, which javac and JavaPoet would reject. */
    String className(Graph g) {
        if (!SourceVersion.isName(packageName)) {
            throw new CompileError(Pos.none("--package"), "'" + packageName + "' is not a Java package name");
        }
        String name = className != null ? className : ModelNames.className(g.name());
        if (!SourceVersion.isIdentifier(name) || SourceVersion.isKeyword(name)) {
            throw new CompileError(Pos.none("--class"), "'" + name + "' is not a Java class name");
        }
        return name;
    }

    static Map<String, String> metadata(ShapedGraph shaped, String source, String weights, Optimizer.Settings optimization) {
        return metadata(shaped, source, weights, optimization, ModelBuilder.Target.JVM);
    }

    static Map<String, String> metadata(ShapedGraph shaped, String source, String weights, Optimizer.Settings optimization,
                                        ModelBuilder.Target target) {
        Graph g = shaped.graph();
        Map<String, String> m = new LinkedHashMap<>();
        m.put("network", g.name());
        m.put("parameters", g.parameters().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(",")));
        m.put("source", source);
        m.put("inputShape", g.input().shape().dims().stream().map(String::valueOf).collect(Collectors.joining("x")));
        m.put("outputShape", g.outputNode().shape().dims().stream().map(String::valueOf).collect(Collectors.joining("x")));
        m.put("parameterCount", Long.toString(shaped.totalParams()));
        m.put("weights", weights);
        m.put("target", target.id());
        m.put("optimization", optimization.toString());
        m.put("cnncVersion", Main.version());
        return m;
    }
}
