package org.cnnc.compiler.cli;

import java.util.concurrent.Callable;
import org.cnnc.compiler.shape.ShapedGraph;
import org.cnnc.compiler.summary.SummaryJson;
import org.cnnc.compiler.summary.SummaryTable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "summary", mixinStandardHelpOptions = true,
        description = "Shows every layer's output shape, parameters, MACs and receptive field, then the totals.")
final class SummaryCommand implements Callable<Integer> {
    @Mixin
    NetworkOptions network;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "1",
            description = "batch size for the memory figures (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--json", description = "print the summary as JSON (the fields are listed in the README)")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (batch < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--batch must be at least 1, not " + batch);
        }
        ShapedGraph shaped = network.shaped();
        spec.commandLine().getOut().print(json ? SummaryJson.render(shaped, batch) : SummaryTable.render(shaped, batch));
        return 0;
    }
}
