package org.cnnc.compiler.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.cnnc.compiler.ir.Graph;
import org.cnnc.compiler.pack.ModelBuilder;
import org.cnnc.compiler.shape.ShapedGraph;
import org.cnnc.compiler.weights.Weights;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "build", mixinStandardHelpOptions = true,
        description = {"Compiles a network and its weights into a jar that Java applications embed.",
                "The jar holds the model class (implementing org.cnnc.runtime.Model), its source, the runtime it needs "
                        + "and the weights; its manifest names the class (Cnnc-Model-Class)."})
final class BuildCommand implements Callable<Integer> {
    @Mixin
    NetworkOptions network;

    @Mixin
    WeightOptions weights;

    @Mixin
    ModelOptions model;

    @Mixin
    OptimizeOptions optimize;

    @Option(names = {"-o", "--output"}, paramLabel = "MODEL.jar", description = "the jar to write (default: CLASS.jar)")
    Path output;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        ShapedGraph shaped = network.shaped();
        Graph g = shaped.graph();
        Weights w = weights.resolve(g, spec.commandLine().getErr());
        String className = model.className(g);
        Path jar = output != null ? output : Path.of(className + ".jar");
        var request = new ModelBuilder.Request(shaped, w, model.packageName, className,
                ModelOptions.metadata(shaped, network.file().name(), weights.describe(), optimize.settings()),
                optimize.settings());
        ModelBuilder.buildJar(request, jar, Progress.to(spec.commandLine().getErr()));
        spec.commandLine().getOut().printf("%s: wrote %s (class %s.%s, %,d parameters)%n",
                g.name(), jar, model.packageName, className, shaped.totalParams());
        return 0;
    }
}
