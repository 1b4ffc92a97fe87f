package org.cnnc.compiler.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import org.cnnc.compiler.Pipeline;
import org.cnnc.compiler.diag.SourceFile;
import org.cnnc.compiler.shape.ShapedGraph;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The options every command that reads a network shares: FILE|NAME, -n NAME, -P name=value. */
final class NetworkOptions {
    @Parameters(index = "0", paramLabel = "FILE|NAME", description = "a .cnn file, or the name of a stdlib network")
    String source;

    @Option(names = {"-n", "--network"}, paramLabel = "NAME",
            description = "the network to use when the file declares more than one")
    String network;

    @Option(names = {"-P", "--param"}, paramLabel = "name=value",
            description = "set a network parameter (repeatable), e.g. -P N=3")
    Map<String, String> params = new LinkedHashMap<>();

    private SourceFile file;

    SourceFile file() {
        if (file == null) file = Pipeline.source(source);
        return file;
    }

    ShapedGraph shaped() {
        return Pipeline.shaped(file(), network, params);
    }
}
