package org.cnnc.compiler.elaborate;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.cnnc.compiler.ast.Expr;
import org.cnnc.compiler.diag.CompileError;
import org.cnnc.compiler.diag.Suggest;
import org.cnnc.compiler.ir.Shape;

/** Evaluates expressions in double precision against the parameters in scope and the block's input shape. */
final class Evaluator {
    /** Words that stand for themselves where no parameter of that name exists. */
    static final Set<String> SYMBOLS = Set.of("same", "valid", "nearest", "bilinear");
    private static final List<String> FUNCTIONS = List.of("min", "max", "floor", "ceil", "round", "abs", "if");

    private Evaluator() {}

    /**
     * @param vars   parameters and repeat indices in scope
     * @param input  the shape arriving at the enclosing block (or the network's input), for in.c/in.h/in.w;
     *               null where no shape is known yet
     */
    static Value eval(Expr e, Map<String, Value> vars, Shape input) {
        return switch (e) {
            case Expr.Num n -> new Value.Num(n.value());
            case Expr.Bool b -> new Value.Bool(b.value());
            case Expr.Ref r -> {
                Value v = vars.get(r.name());
                if (v != null) yield v;
                if (SYMBOLS.contains(r.name().toLowerCase())) yield new Value.Sym(r.name().toLowerCase());
                throw new CompileError(r.pos(), "undefined parameter '" + r.name() + "'"
                        + Suggest.didYouMean(r.name(), vars.keySet())
                        + (vars.isEmpty() ? "" : " (in scope: " + String.join(", ", vars.keySet()) + ")"));
            }
            case Expr.InShape s -> inShape(s, input);
            case Expr.Unary u -> unary(u, eval(u.operand(), vars, input));
            case Expr.Binary b -> binary(b, vars, input);
            case Expr.Call c -> call(c, vars, input);
        };
    }

    static double number(Expr e, Map<String, Value> vars, Shape input, String what) {
        Value v = eval(e, vars, input);
        if (v instanceof Value.Num n) return n.value();
        throw new CompileError(e.pos(), what + " must be a number, but is " + v.typeName());
    }

    static boolean bool(Expr e, Map<String, Value> vars, Shape input, String what) {
        Value v = eval(e, vars, input);
        if (v instanceof Value.Bool b) return b.value();
        throw new CompileError(e.pos(), what + " must be true or false, but is " + v.typeName()
                + (v instanceof Value.Num n ? " (" + n + ")" : ""));
    }

    private static Value inShape(Expr.InShape s, Shape input) {
        if (input == null) {
            throw new CompileError(s.pos(), "in." + s.dim() + " is not available here: no shape arrives at this point");
        }
        return switch (input) {
            case Shape.Map m -> new Value.Num(switch (s.dim()) {
                case "c" -> m.c();
                case "h" -> m.h();
                default -> m.w();
            });
            case Shape.Vec v -> {
                if (s.dim().equals("c")) yield new Value.Num(v.n());
                throw new CompileError(s.pos(), "in." + s.dim() + " is not defined: the input here is a vector of "
                        + v.n() + " features (in.c gives its length)");
            }
        };
    }

    private static Value unary(Expr.Unary u, Value v) {
        if (u.op().equals("-")) {
            if (v instanceof Value.Num n) return new Value.Num(-n.value());
            throw new CompileError(u.pos(), "'-' needs a number, but gets " + v.typeName());
        }
        if (v instanceof Value.Bool b) return new Value.Bool(!b.value());
        throw new CompileError(u.pos(), "'not' needs true or false, but gets " + v.typeName());
    }

    private static Value binary(Expr.Binary b, Map<String, Value> vars, Shape input) {
        String op = b.op();
        if (op.equals("and") || op.equals("or")) {
            boolean left = bool(b.left(), vars, input, "the left side of '" + op + "'");
            if (op.equals("and") && !left) return new Value.Bool(false);
            if (op.equals("or") && left) return new Value.Bool(true);
            return new Value.Bool(bool(b.right(), vars, input, "the right side of '" + op + "'"));
        }
        Value l = eval(b.left(), vars, input);
        Value r = eval(b.right(), vars, input);
        if (op.equals("==") || op.equals("!=")) {
            // numbers compare by value: -0 == 0 (a record's equals would tell them apart)
            boolean eq = l instanceof Value.Num a && r instanceof Value.Num c ? a.value() == c.value() : l.equals(r);
            return new Value.Bool(op.equals("==") == eq);
        }
        if (!(l instanceof Value.Num ln) || !(r instanceof Value.Num rn)) {
            Value bad = l instanceof Value.Num ? r : l;
            throw new CompileError(b.pos(), "'" + op + "' needs numbers, but gets " + bad.typeName());
        }
        double x = ln.value(), y = rn.value();
        return switch (op) {
            case "+" -> new Value.Num(x + y);
            case "-" -> new Value.Num(x - y);
            case "*" -> new Value.Num(x * y);
            case "/" -> new Value.Num(divide(b, x, y));
            case "//" -> new Value.Num(Math.floor(divide(b, x, y)));
            case "%" -> {
                divide(b, x, y);
                yield new Value.Num(x - y * Math.floor(x / y));
            }
            case "^" -> new Value.Num(Math.pow(x, y));
            case "<" -> new Value.Bool(x < y);
            case "<=" -> new Value.Bool(x <= y);
            case ">" -> new Value.Bool(x > y);
            case ">=" -> new Value.Bool(x >= y);
            default -> throw new IllegalStateException("operator " + op);
        };
    }

    private static double divide(Expr.Binary b, double x, double y) {
        if (y == 0) throw new CompileError(b.pos(), "division by zero");
        return x / y;
    }

    private static Value call(Expr.Call c, Map<String, Value> vars, Shape input) {
        String f = c.function();
        List<Expr> args = c.args();
        if (f.equals("if")) {
            arity(c, 3, 3);
            return bool(args.get(0), vars, input, "the condition of if") ? eval(args.get(1), vars, input)
                    : eval(args.get(2), vars, input);
        }
        List<Double> xs = new ArrayList<>();
        for (Expr a : args) xs.add(number(a, vars, input, "an argument of " + f));
        return new Value.Num(switch (f) {
            case "min" -> {
                arity(c, 1, Integer.MAX_VALUE);
                yield xs.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
            }
            case "max" -> {
                arity(c, 1, Integer.MAX_VALUE);
                yield xs.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
            }
            case "floor" -> {
                arity(c, 1, 1);
                yield Math.floor(xs.get(0));
            }
            case "ceil" -> {
                arity(c, 1, 1);
                yield Math.ceil(xs.get(0));
            }
            case "round" -> {
                arity(c, 1, 1);
                yield (double) Math.round(xs.get(0));
            }
            case "abs" -> {
                arity(c, 1, 1);
                yield Math.abs(xs.get(0));
            }
            default -> throw new CompileError(c.pos(), "unknown function '" + f + "'"
                    + Suggest.didYouMean(f, FUNCTIONS) + "; the functions are " + String.join(", ", FUNCTIONS));
        });
    }

    private static void arity(Expr.Call c, int min, int max) {
        int n = c.args().size();
        if (n < min || n > max) {
            String want = min == max ? Integer.toString(min) : max == Integer.MAX_VALUE ? "at least " + min : min + " to " + max;
            throw new CompileError(c.pos(), c.function() + " takes " + want + " argument" + (min == 1 && max == 1 ? "" : "s")
                    + ", not " + n);
        }
    }

}
