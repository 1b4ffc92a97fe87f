package org.cnnc.compiler.ast;

import java.util.List;
import org.cnnc.compiler.diag.Pos;

/** A top-level declaration of a .cnn file. */
public sealed interface Decl {
    Pos pos();

    String name();

    List<Param> params();

    List<Element> body();

    record Block(Pos pos, String name, List<Param> params, List<Element> body) implements Decl {}

    /** {@code input} gives one expression (a feature vector) or three (C, H, W). */
    record Network(Pos pos, String name, List<Param> params, Input input, List<Element> body) implements Decl {}

    record Input(Pos pos, List<Expr> dims) {}

    /** {@code defaultValue} is null for a parameter that must be given. */
    record Param(Pos pos, String name, Expr defaultValue) {}
}
