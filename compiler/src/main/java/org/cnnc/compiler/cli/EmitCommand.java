package org.cnnc.compiler.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.cnnc.compiler.diag.CompileError;
import org.cnnc.compiler.diag.Pos;
import org.cnnc.compiler.ir.Graph;
import org.cnnc.compiler.pack.ModelBuilder;
import org.cnnc.compiler.shape.ShapedGraph;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "emit", mixinStandardHelpOptions = true,
        description = "Writes the generated Java source of a network under a source root, without compiling it.")
final class EmitCommand implements Callable<Integer> {
    @Mixin
    NetworkOptions network;

    @Mixin
    ModelOptions model;

    @Option(names = {"-d", "--directory"}, paramLabel = "DIR", required = true, description = "the source root to write under")
    Path directory;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        ShapedGraph shaped = network.shaped();
        Graph g = shaped.graph();
        var request = new ModelBuilder.Request(shaped, null, model.packageName, model.className(g),
                ModelOptions.metadata(shaped, network.file().name(), "supplied when the model is built"));
        try {
            List<Path> files = ModelBuilder.emitSources(request, directory);
            files.forEach(f -> spec.commandLine().getOut().println(f));
        } catch (IOException e) {
            throw new CompileError(Pos.none(directory.toString()), "cannot write the sources: " + e.getMessage());
        }
        return 0;
    }
}
