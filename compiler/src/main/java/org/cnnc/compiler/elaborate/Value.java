package org.cnnc.compiler.elaborate;

/** The value of an expression: a number (always double precision), a boolean, or a symbol such as {@code same}. */
public sealed interface Value {

    String typeName();

    record Num(double value) implements Value {
        public String typeName() { return "a number"; }

        @Override
        public String toString() {
            return format(value);
        }
    }

    record Bool(boolean value) implements Value {
        public String typeName() { return "a boolean"; }

        @Override
        public String toString() {
            return Boolean.toString(value);
        }
    }

    record Sym(String name) implements Value {
        public String typeName() { return "the word '" + name + "'"; }

        @Override
        public String toString() {
            return name;
        }
    }

    /** Integers without a fraction, other numbers as Java prints them. */
    static String format(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        return Double.toString(v);
    }

    /** Parses a {@code -P name=value} right-hand side: a number, true/false, or a word. */
    static Value parse(String text) {
        String t = text.strip();
        if (t.equalsIgnoreCase("true")) return new Bool(true);
        if (t.equalsIgnoreCase("false")) return new Bool(false);
        try {
            return new Num(Double.parseDouble(t));
        } catch (NumberFormatException e) {
            return new Sym(t);
        }
    }
}
