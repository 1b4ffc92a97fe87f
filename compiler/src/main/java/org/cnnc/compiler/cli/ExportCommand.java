package org.cnnc.compiler.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.cnnc.compiler.export.AtomicFile;
import org.cnnc.compiler.export.OnnxExport;
import org.cnnc.compiler.ir.Graph;
import org.cnnc.compiler.shape.ShapedGraph;
import org.cnnc.compiler.weights.Weights;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Writes the network and its weights as an ONNX model (opset " + OnnxExport.OPSET
                + ", IR version " + OnnxExport.IR_VERSION + ") that Netron opens and ONNX Runtime runs.",
                "Its input is \"input\" [N, C, H, W] (N chosen at run time), its output \"output\"; the weights are "
                        + "initializers named as in the PyTorch state_dict. The file is written whole or not at all."})
final class ExportCommand implements Callable<Integer> {
    @Mixin
    NetworkOptions network;

    @Mixin
    WeightOptions weights;

    @Option(names = {"-o", "--output"}, paramLabel = "MODEL.onnx", required = true, description = "the file to write")
    Path output;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        ShapedGraph shaped = network.shaped();
        Graph graph = shaped.graph();
        Weights w = weights.resolve(graph, spec.commandLine().getErr());
        String note = "weights: " + weights.describe();
        long bytes = AtomicFile.write(output, out -> OnnxExport.write(graph, w, note, out));
        spec.commandLine().getOut().printf("%s: wrote %s (%,d bytes, %,d parameters, opset %d)%n",
                OnnxExport.title(graph), output, bytes, shaped.totalParams(), OnnxExport.OPSET);
        return 0;
    }
}
