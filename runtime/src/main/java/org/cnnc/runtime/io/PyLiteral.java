package org.cnnc.runtime.io;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The few Python literals a .npy header uses: a dict of string keys whose values are strings,
 * {@code True}/{@code False}, integers and tuples (or lists) of them. Values become
 * {@code Map<String, Object>}, {@code List<Object>}, {@code String}, {@code Boolean} and
 * {@code BigInteger}. Python 2 wrote long integers with an {@code L} suffix; it is accepted.
 */
final class PyLiteral {
    private static final int MAX_DEPTH = 16;

    static final class SyntaxException extends Exception {
        SyntaxException(String message) {
            super(message);
        }
    }

    private final String text;
    private int pos;

    private PyLiteral(String text) {
        this.text = text;
    }

    static Object parse(String text) throws SyntaxException {
        PyLiteral p = new PyLiteral(text);
        p.skipSpace();
        Object v = p.value(0);
        p.skipSpace();
        if (p.pos < text.length()) throw p.error("unexpected text after the literal");
        return v;
    }

    private Object value(int depth) throws SyntaxException {
        if (depth > MAX_DEPTH) throw error("nesting too deep");
        if (pos >= text.length()) throw error("unexpected end, expected a value");
        char c = text.charAt(pos);
        if (c == '{') return dict(depth);
        if (c == '(') return sequence(')', depth);
        if (c == '[') return sequence(']', depth);
        if (c == '\'' || c == '"') return string();
        if (c == '-' || isDigit(c)) return integer();
        if (text.startsWith("True", pos)) return word("True", Boolean.TRUE);
        if (text.startsWith("False", pos)) return word("False", Boolean.FALSE);
        throw error("unexpected '" + c + "'");
    }

    private Map<String, Object> dict(int depth) throws SyntaxException {
        pos++;
        Map<String, Object> map = new LinkedHashMap<>();
        while (true) {
            skipSpace();
            if (peek('}')) {
                pos++;
                return map;
            }
            if (!peek('\'') && !peek('"')) throw error("expected a string key");
            String key = string();
            skipSpace();
            if (!peek(':')) throw error("expected ':'");
            pos++;
            skipSpace();
            if (map.put(key, value(depth + 1)) != null) throw error("duplicate key '" + key + "'");
            skipSpace();
            if (peek(',')) pos++;
            else if (!peek('}')) throw error("expected ',' or '}'");
        }
    }

    private List<Object> sequence(char close, int depth) throws SyntaxException {
        pos++;
        List<Object> list = new ArrayList<>();
        while (true) {
            skipSpace();
            if (peek(close)) {
                pos++;
                return list;
            }
            list.add(value(depth + 1));
            skipSpace();
            if (peek(',')) pos++;
            else if (!peek(close)) throw error("expected ',' or '" + close + "'");
        }
    }

    private String string() throws SyntaxException {
        char quote = text.charAt(pos++);
        StringBuilder b = new StringBuilder();
        while (pos < text.length()) {
            char c = text.charAt(pos++);
            if (c == quote) return b.toString();
            if (c == '\\' && pos < text.length()) c = text.charAt(pos++);
            b.append(c);
        }
        throw error("unterminated string");
    }

    private BigInteger integer() throws SyntaxException {
        int start = pos;
        if (peek('-')) pos++;
        while (pos < text.length() && isDigit(text.charAt(pos))) pos++;
        if (pos == start || (pos == start + 1 && text.charAt(start) == '-')) throw error("expected digits");
        BigInteger v = new BigInteger(text.substring(start, pos));
        if (peek('L') || peek('l')) pos++;
        return v;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private Boolean word(String w, Boolean v) {
        pos += w.length();
        return v;
    }

    private boolean peek(char c) {
        return pos < text.length() && text.charAt(pos) == c;
    }

    private void skipSpace() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) pos++;
    }

    private SyntaxException error(String message) {
        return new SyntaxException(message + " at offset " + pos);
    }
}
