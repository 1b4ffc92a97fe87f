package org.cnnc.compiler.ast;

import java.util.List;
import org.cnnc.compiler.diag.SourceFile;

/** A parsed .cnn file: its blocks and networks, in source order. */
public record CnnFile(SourceFile source, List<Decl.Block> blocks, List<Decl.Network> networks) {}
