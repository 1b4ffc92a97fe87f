package org.cnnc.compiler.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.cnnc.compiler.emit.tornado.TornadoApi;
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

    @Option(names = "--tornado-api", paramLabel = "JAR",
            description = "with --target tornadovm: TornadoVM's API jar to compile against (default: the one in $TORNADO_SDK "
                    + "or $TORNADOVM_HOME); it is not copied into the model jar")
    Path tornadoApi;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        ModelBuilder.Target target = model.target();
        Path api = target == ModelBuilder.Target.TORNADOVM ? TornadoApi.locate(tornadoApi, System::getenv) : null;
        ShapedGraph shaped = network.shaped();
        Graph g = shaped.graph();
        Weights w = weights.resolve(g, spec.commandLine().getErr());
        String className = model.className(g);
        Path jar = output != null ? output : Path.of(className + ".jar");
        var request = new ModelBuilder.Request(shaped, w, model.packageName, className,
                ModelOptions.metadata(shaped, network.file().name(), weights.describe(), optimize.settings(), target),
                optimize.settings());
        ModelBuilder.buildJar(request, jar, Progress.to(spec.commandLine().getErr()), target, api);
        spec.commandLine().getOut().printf("%s: wrote %s (class %s.%s, %,d parameters%s)%n",
                g.name(), jar, model.packageName, className, shaped.totalParams(),
                target == ModelBuilder.Target.JVM ? "" : ", " + target.id() + " target");
        return 0;
    }
}
