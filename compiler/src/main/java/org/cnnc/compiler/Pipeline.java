package org.cnnc.compiler;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.cnnc.compiler.diag.CompileError;
import org.cnnc.compiler.diag.Pos;
import org.cnnc.compiler.diag.SourceFile;
import org.cnnc.compiler.diag.Suggest;
import org.cnnc.compiler.elaborate.Elaborator;
import org.cnnc.compiler.ir.Graph;
import org.cnnc.compiler.parse.SourceParser;
import org.cnnc.compiler.shape.ShapeInference;
import org.cnnc.compiler.shape.ShapedGraph;

/** Runs the front-end stages in order: source → AST → graph → shaped graph. */
public final class Pipeline {
    private Pipeline() {}

    /** A path to a .cnn file, or the name of a stdlib network. */
    public static SourceFile source(String fileOrName) {
        Path path = Path.of(fileOrName);
        if (Files.exists(path) || fileOrName.contains("/") || fileOrName.endsWith(".cnn")) {
            if (Files.isDirectory(path)) throw new CompileError(Pos.none(fileOrName), "is a directory, not a .cnn file");
            return SourceParser.read(path);
        }
        return StdLib.find(fileOrName).orElseThrow(() -> new CompileError(Pos.none(fileOrName),
                "no such file, and no stdlib network of that name"
                        + Suggest.didYouMeanOrList(fileOrName, StdLib.names(), "the stdlib networks")));
    }

    public static Graph elaborate(SourceFile source, String network, Map<String, String> overrides) {
        return Elaborator.elaborate(SourceParser.parse(source), network, overrides);
    }

    public static ShapedGraph shaped(SourceFile source, String network, Map<String, String> overrides) {
        return ShapeInference.infer(elaborate(source, network, overrides));
    }
}
