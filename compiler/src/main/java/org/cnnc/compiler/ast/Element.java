package org.cnnc.compiler.ast;

import java.util.List;
import org.cnnc.compiler.diag.Pos;

/** One element of a chain {@code a -> b -> c}. */
public sealed interface Element {
    Pos pos();

    /** A layer or a block instance: which one is decided by elaboration. {@code bare} when written without parentheses. */
    record Call(Pos pos, String name, List<Arg> args, boolean bare) implements Element {}

    /** {@code [ chain ]}. */
    record Group(Pos pos, List<Element> chain) implements Element {}

    /** {@code add { a | b }} or {@code concat { a | b | ... }}. */
    record Branches(Pos pos, Merge merge, List<List<Element>> branches) implements Element {}

    /** {@code INPUT} inside a chain: the declared input. */
    record InputRef(Pos pos) implements Element {}

    /** {@code name: element}; {@code name{expr}: element} appends the value of expr to the name. */
    record Labeled(Pos pos, Label label, Element element) implements Element {}

    /** {@code element * count [as index]}. */
    record Repeat(Pos pos, Element body, Expr count, String index) implements Element {}

    /** {@code element?} (kept where its shape rules hold) or {@code element?(condition)}. */
    record Optional(Pos pos, Element body, Expr condition) implements Element {}

    enum Merge { ADD, CONCAT }

    record Label(Pos pos, String name, Expr suffix) {}

    record Arg(Pos pos, String name, Expr value) {
        public boolean named() {
            return name != null;
        }
    }
}
