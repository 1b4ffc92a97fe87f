package org.cnnc.compiler.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.cnnc.compiler.emit.ModelNames;
import org.cnnc.compiler.ir.Graph;
import org.cnnc.compiler.optimize.Optimizer;
import org.cnnc.compiler.shape.ShapedGraph;
import picocli.CommandLine.Option;

/** {@code --package} and {@code --class} of a generated model, and the metadata it carries. */
final class ModelOptions {
    @Option(names = "--package", paramLabel = "P", defaultValue = "cnnc.models",
            description = "Java package of the generated class (default: ${DEFAULT-VALUE})")
    String packageName;

    @Option(names = "--class", paramLabel = "C",
            description = "name of the generated class (default: the network's name)")
    String className;

    String className(Graph g) {
        return className != null ? className : ModelNames.className(g.name());
    }

    static Map<String, String> metadata(ShapedGraph shaped, String source, String weights, Optimizer.Settings optimization) {
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
        m.put("target", "jvm");
        m.put("optimization", optimization.toString());
        m.put("cnncVersion", Main.version());
        return m;
    }
}
