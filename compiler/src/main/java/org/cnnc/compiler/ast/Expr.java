package org.cnnc.compiler.ast;

import java.util.List;
import org.cnnc.compiler.diag.Pos;

/** An expression: arguments, repeat counts, conditions, parameter defaults. */
public sealed interface Expr {
    Pos pos();

    record Num(Pos pos, double value) implements Expr {}

    record Bool(Pos pos, boolean value) implements Expr {}

    /** A parameter, a repeat index, or a symbol such as {@code same}. */
    record Ref(Pos pos, String name) implements Expr {}

    /** {@code in.c}, {@code in.h}, {@code in.w}: the shape arriving where the expression is evaluated. */
    record InShape(Pos pos, String dim) implements Expr {}

    record Unary(Pos pos, String op, Expr operand) implements Expr {}

    record Binary(Pos pos, String op, Expr left, Expr right) implements Expr {}

    /** {@code min}, {@code max}, {@code floor}, {@code ceil}, {@code round}, {@code abs}, {@code if}. */
    record Call(Pos pos, String function, List<Expr> args) implements Expr {}
}
