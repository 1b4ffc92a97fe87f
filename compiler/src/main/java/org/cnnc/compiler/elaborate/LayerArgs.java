package org.cnnc.compiler.elaborate;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cnnc.compiler.diag.CompileError;
import org.cnnc.compiler.diag.Pos;
import org.cnnc.compiler.ir.Shape;

/** The evaluated arguments of one layer call, bound to the layer's parameters, with typed readers. */
final class LayerArgs {
    private final String layer;
    private final Pos callPos;
    private final Shape in;
    private final boolean bare;
    private final Map<String, Value> values = new LinkedHashMap<>();
    private final Map<String, Pos> positions = new HashMap<>();

    LayerArgs(String layer, Pos callPos, Shape in, boolean bare) {
        this.layer = layer;
        this.callPos = callPos;
        this.in = in;
        this.bare = bare;
    }

    void put(String param, Value value, Pos pos) {
        values.put(param, value);
        positions.put(param, pos);
    }

    boolean given(String param) {
        return values.containsKey(param);
    }

    /** True for a call written without parentheses: {@code conv}, {@code pool}, {@code fc}. */
    boolean bare() {
        return bare;
    }

    Shape in() {
        return in;
    }

    Pos pos(String param) {
        return positions.getOrDefault(param, callPos);
    }

    Value value(String param) {
        return values.get(param);
    }

    double number(String param, double fallback) {
        Value v = values.get(param);
        if (v == null) return fallback;
        if (v instanceof Value.Num n) return n.value();
        throw error(param, "must be a number, but is " + v.typeName());
    }

    boolean bool(String param, boolean fallback) {
        Value v = values.get(param);
        if (v == null) return fallback;
        if (v instanceof Value.Bool b) return b.value();
        throw error(param, "must be true or false, but is " + v.typeName());
    }

    /** An integer ≥ {@code min}; a number with a fraction is an error that shows the value. */
    int integer(String param, int fallback, int min) {
        Value v = values.get(param);
        if (v == null) return fallback;
        if (!(v instanceof Value.Num n)) {
            throw error(param, "must be an integer, but is " + v.typeName());
        }
        double x = n.value();
        if (x != Math.rint(x) || Double.isInfinite(x)) {
            throw error(param, "must be an integer, but evaluates to " + x);
        }
        if (x < min) {
            throw error(param, "must be at least " + min + ", but is " + Value.format(x));
        }
        if (x > Integer.MAX_VALUE) {
            throw error(param, "is too large: " + Value.format(x));
        }
        return (int) x;
    }

    /** A padding: a non-negative integer, or {@code same} where that is symmetric (odd span, stride 1). */
    int padding(String param, int k, int s, int d, boolean sameByDefault) {
        Value v = values.get(param);
        boolean same = v == null ? sameByDefault : v instanceof Value.Sym sym && sym.name().equals("same");
        if (v instanceof Value.Sym sym && sym.name().equals("valid")) return 0;
        if (!same) return integer(param, 0, 0);
        int span = d * (k - 1);
        if (s != 1 || span % 2 != 0) {
            throw new CompileError(pos(param), layer + " " + param + "=same is only symmetric for stride 1 and an odd kernel"
                    + " (here k=" + k + ", s=" + s + (d != 1 ? ", dilation=" + d : "")
                    + "); give an explicit padding such as " + param + "=" + (span / 2));
        }
        return span / 2;
    }

    /** One of the given words. */
    String word(String param, String fallback, List<String> allowed) {
        Value v = values.get(param);
        if (v == null) return fallback;
        if (v instanceof Value.Sym s && allowed.contains(s.name())) return s.name();
        throw error(param, "must be one of " + String.join(", ", allowed) + ", but is " + v);
    }

    CompileError error(String param, String message) {
        return new CompileError(pos(param), layer + " " + param + " " + message);
    }
}
