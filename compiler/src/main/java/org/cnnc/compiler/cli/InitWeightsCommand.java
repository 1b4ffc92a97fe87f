package org.cnnc.compiler.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.concurrent.Callable;
import org.cnnc.compiler.diag.CompileError;
import org.cnnc.compiler.diag.Pos;
import org.cnnc.compiler.ir.Graph;
import org.cnnc.compiler.weights.Weights;
import org.cnnc.compiler.weights.WeightsFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "init-weights", mixinStandardHelpOptions = true,
        description = {"Writes seeded He-initialised weights for a network as safetensors, named as its PyTorch state_dict.",
                "BatchNorm statistics are random too (non-zero means, variances in [0.5, 1.5])."})
final class InitWeightsCommand implements Callable<Integer> {
    @Mixin
    NetworkOptions network;

    @Option(names = {"-o", "--output"}, paramLabel = "W.safetensors", required = true, description = "the file to write")
    Path output;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "42", description = "random seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Graph g = network.shaped().graph();
        Weights w = Weights.heInit(g, seed);
        Path partial = null;
        try {
            Path parent = output.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            partial = Files.createTempFile(parent, "." + output.getFileName(), ".partial");
            WeightsFile.write(w, g, partial, Map.of("network", g.name(), "init", "he", "seed", Long.toString(seed)));
            Files.move(partial, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new CompileError(Pos.none(output.toString()), "cannot write the weights: " + e.getMessage());
        } finally {
            if (partial != null) {
                try {
                    Files.deleteIfExists(partial);
                } catch (IOException ignored) {
                    // nothing more to clean
                }
            }
        }
        spec.commandLine().getOut().printf("%s: wrote %s (%d tensors, seed %d)%n", g.name(), output, w.all().size(), seed);
        return 0;
    }
}
