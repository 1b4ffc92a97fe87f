package org.cnnc.compiler.diag;

/** A place in a source file: 1-based line, 1-based column. */
public record Pos(SourceFile file, int line, int col) {

    /** For values that come from no file, such as {@code -P} overrides. */
    public static Pos none(String what) {
        return new Pos(new SourceFile(what, ""), 0, 0);
    }

    public boolean known() {
        return line > 0;
    }

    @Override
    public String toString() {
        return known() ? file.name() + ":" + line + ":" + col : file.name();
    }
}
