package org.cnnc.compiler.elaborate;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cnnc.compiler.ast.CnnFile;
import org.cnnc.compiler.ast.Decl;
import org.cnnc.compiler.ast.Element;
import org.cnnc.compiler.ast.Expr;
import org.cnnc.compiler.diag.CompileError;
import org.cnnc.compiler.diag.Pos;
import org.cnnc.compiler.diag.Suggest;
import org.cnnc.compiler.ir.Graph;
import org.cnnc.compiler.ir.Node;
import org.cnnc.compiler.ir.Op;
import org.cnnc.compiler.ir.Shape;
import org.cnnc.compiler.shape.ShapeError;
import org.cnnc.compiler.shape.ShapeRules;

/**
 * AST to graph: binds parameters, expands repeats, blocks and optionals, and gives every
 * node its dotted name. Shapes are computed as nodes are made, because optionals,
 * {@code in.c} and bare layers depend on them.
 */
public final class Elaborator {
    /** The most nodes a network may expand to. */
    public static final int MAX_NODES = 100_000;
    /** The deepest nesting of block instances. */
    public static final int MAX_BLOCK_DEPTH = 64;
    /** The most elements one sample's tensor may hold (a Java array's limit). */
    public static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8L;
    /** The most elements elaboration visits, identities and dropped optionals included. */
    public static final long MAX_STEPS = 10L * MAX_NODES;

    private final Map<String, Decl.Block> blocks = new HashMap<>();
    private final List<Node> nodes = new ArrayList<>();
    private final List<Graph.DroppedOptional> dropped = new ArrayList<>();
    private final Deque<Decl.Block> callStack = new ArrayDeque<>();
    private long steps;

    /** What an element is elaborated against: names in scope, the block's input shape, the naming scope. */
    private record Ctx(Map<String, Value> vars, Shape blockIn, Scope scope) {
        Ctx with(Scope s) {
            return new Ctx(vars, blockIn, s);
        }
    }

    private Elaborator(CnnFile file) {
        for (Decl.Block b : file.blocks()) {
            Decl.Block before = blocks.putIfAbsent(b.name(), b);
            if (before != null) {
                throw new CompileError(b.pos(), "block '" + b.name() + "' is declared twice (first at line "
                        + before.pos().line() + ")");
            }
            if (Layers.find(b.name()) != null) {
                throw new CompileError(b.pos(), "block '" + b.name() + "' has the name of the layer '"
                        + Layers.find(b.name()).name() + "'; choose another name");
            }
        }
    }

    /**
     * Elaborates the network named {@code networkName} (or the file's only network when null),
     * with parameter values from {@code overrides} ({@code -P name=value}).
     */
    public static Graph elaborate(CnnFile file, String networkName, Map<String, String> overrides) {
        Decl.Network network = select(file, networkName);
        try {
            return new Elaborator(file).network(network, overrides);
        } catch (StackOverflowError e) {
            throw new CompileError(network.pos(), "network " + network.name() + " nests too deeply to elaborate");
        }
    }

    public static Graph elaborate(CnnFile file) {
        return elaborate(file, null, Map.of());
    }

    private static Decl.Network select(CnnFile file, String name) {
        List<Decl.Network> networks = file.networks();
        Pos filePos = Pos.none(file.source().name());
        List<String> names = networks.stream().map(Decl.Network::name).toList();
        if (name == null) {
            if (networks.isEmpty()) throw new CompileError(filePos, "the file declares no network");
            if (networks.size() > 1) {
                throw new CompileError(filePos, "the file declares " + networks.size() + " networks ("
                        + String.join(", ", names) + "); choose one with -n NAME");
            }
            return networks.get(0);
        }
        for (Decl.Network n : networks) if (n.name().equals(name)) return n;
        for (Decl.Network n : networks) if (n.name().equalsIgnoreCase(name)) return n;
        throw new CompileError(filePos, "the file declares no network '" + name + "'"
                + Suggest.didYouMeanOrList(name, names, "its networks"));
    }

    private Graph network(Decl.Network net, Map<String, String> overrides) {
        Map<String, Value> vars = new LinkedHashMap<>();
        List<String> declared = net.params().stream().map(Decl.Param::name).toList();
        for (String key : overrides.keySet()) {
            if (!declared.contains(key)) {
                throw new CompileError(net.pos(), "network " + net.name() + " has no parameter '" + key + "' (from -P)"
                        + Suggest.didYouMeanOrList(key, declared, "its parameters"));
            }
        }
        for (Decl.Param p : net.params()) {
            if (vars.containsKey(p.name())) {
                throw new CompileError(p.pos(), "parameter '" + p.name() + "' is declared twice");
            }
            if (overrides.containsKey(p.name())) {
                vars.put(p.name(), Value.parse(overrides.get(p.name())));
            } else if (p.defaultValue() != null) {
                vars.put(p.name(), Evaluator.eval(p.defaultValue(), vars, null));
            } else {
                throw new CompileError(p.pos(), "parameter '" + p.name() + "' of network " + net.name()
                        + " has no value; give it one with -P " + p.name() + "=VALUE");
            }
        }

        Shape inputShape = inputShape(net.input(), vars);
        nodes.add(new Node(0, "input", false, new Op.Input(), List.of(), inputShape, net.input().pos()));
        Ctx ctx = new Ctx(vars, inputShape, Scope.root());
        int out = chain(net.body(), 0, ctx, true);

        Map<String, String> shown = new LinkedHashMap<>();
        vars.forEach((k, v) -> shown.put(k, v.toString()));
        return new Graph(net.name(), shown, nodes, out, dropped);
    }

    private static Shape inputShape(Decl.Input input, Map<String, Value> vars) {
        List<Integer> dims = new ArrayList<>();
        for (Expr e : input.dims()) {
            double v = Evaluator.number(e, vars, null, "an input dimension");
            if (v != Math.rint(v) || v < 1 || v > Integer.MAX_VALUE) {
                throw new CompileError(e.pos(), "an input dimension must be a positive integer, but is " + Value.format(v));
            }
            dims.add((int) v);
        }
        Shape s = switch (dims.size()) {
            case 1 -> new Shape.Vec(dims.get(0));
            case 3 -> new Shape.Map(dims.get(0), dims.get(1), dims.get(2));
            default -> throw new CompileError(input.pos(), "input takes C×H×W (such as 3x224x224) or a number of features, not "
                    + dims.size() + " dimensions");
        };
        if (s.elements() > MAX_ELEMENTS) {
            throw new CompileError(input.pos(), "the input of " + s.elements() + " elements is larger than the limit of "
                    + MAX_ELEMENTS);
        }
        return s;
    }

    private int chain(List<Element> chain, int in, Ctx ctx, boolean networkStart) {
        int out = in;
        for (int i = 0; i < chain.size(); i++) {
            Element e = chain.get(i);
            if (!(networkStart && i == 0) && inputRef(e) instanceof Element.InputRef ref) {
                throw new CompileError(ref.pos(), "INPUT stands for the network's input and may only start the network's chain");
            }
            out = element(e, out, ctx, null);
        }
        return out;
    }

    /** The INPUT an element is (labelled, repeated or optional), or null. */
    private static Element.InputRef inputRef(Element e) {
        return switch (e) {
            case Element.InputRef ref -> ref;
            case Element.Labeled l -> inputRef(l.element());
            case Element.Repeat r -> inputRef(r.body());
            case Element.Optional o -> inputRef(o.body());
            default -> null;
        };
    }

    /** Elaborates one element on the value of node {@code in}; {@code label} is the label written before it, if any. */
    private int element(Element e, int in, Ctx ctx, LabelAt label) {
        if (++steps > MAX_STEPS) {
            throw new CompileError(e.pos(), "the network expands past the limit of " + MAX_STEPS
                    + " elements (identities and dropped optionals included)");
        }
        return switch (e) {
            case Element.InputRef ref -> in;
            case Element.Labeled l -> element(l.element(), in, ctx, new LabelAt(labelName(l.label(), ctx), l.label().pos()));
            case Element.Call call -> call(call, in, ctx, label);
            case Element.Group g -> chain(g.chain(), in, scoped(ctx, label, g.pos()), false);
            case Element.Branches b -> branches(b, in, scoped(ctx, label, b.pos()));
            case Element.Repeat r -> repeat(r, in, ctx, label);
            case Element.Optional o -> optional(o, in, ctx, label);
        };
    }

    /** A label as written before an element, with its place (where a duplicate name is reported). */
    private record LabelAt(String name, Pos pos) {}

    /** Takes the element's place in its scope: its label, or the next index (reported at {@code pos}). */
    private static String claim(Ctx ctx, LabelAt label, Pos pos) {
        return label == null ? ctx.scope().claim(null, pos) : ctx.scope().claim(label.name(), label.pos());
    }

    /** A label on anything but a single layer opens a scope of that name. */
    private static Ctx scoped(Ctx ctx, LabelAt label, Pos pos) {
        return label == null ? ctx : ctx.with(ctx.scope().child(claim(ctx, label, pos)));
    }

    private String labelName(Element.Label label, Ctx ctx) {
        if (label.suffix() == null) return label.name();
        double v = Evaluator.number(label.suffix(), ctx.vars(), ctx.blockIn(), "a label's index");
        if (v != Math.rint(v)) {
            throw new CompileError(label.suffix().pos(), "a label's index must be an integer, but is " + v);
        }
        return label.name() + Value.format(v);
    }

    private int call(Element.Call call, int in, Ctx ctx, LabelAt label) {
        Decl.Block block = blocks.get(call.name());
        if (block != null) return blockInstance(block, call, in, ctx, label);
        Layers.Spec spec = Layers.find(call.name());
        if (spec == null) {
            List<String> known = new ArrayList<>(Layers.names());
            known.addAll(blocks.keySet());
            throw new CompileError(call.pos(), "unknown layer or block '" + call.name() + "'" + Suggest.didYouMean(call.name(), known));
        }
        Shape inShape = nodes.get(in).shape();
        LayerArgs args = new LayerArgs(spec.name(), call.pos(), inShape, call.bare());
        int positional = 0;
        boolean sawNamed = false;
        for (Element.Arg a : call.args()) {
            Layers.Param param;
            if (a.named()) {
                sawNamed = true;
                param = spec.param(a.name());
                if (param == null) {
                    List<String> names = spec.params().stream().map(Layers.Param::name).toList();
                    List<String> spellings = new ArrayList<>(names);
                    spec.params().forEach(p -> spellings.addAll(p.aliases()));
                    String close = Suggest.closest(a.name(), spellings);
                    throw new CompileError(a.pos(), spec.name() + " has no argument '" + a.name() + "'"
                            + (close != null ? "; did you mean '" + close + "'?"
                               : names.isEmpty() ? "; it takes none" : "; its arguments are " + String.join(", ", names)));
                }
            } else {
                if (sawNamed) throw new CompileError(a.pos(), "a positional argument cannot follow a named one");
                if (positional >= spec.params().size()) {
                    throw new CompileError(a.pos(), spec.name() + " takes " + (spec.params().isEmpty() ? "no arguments"
                            : "at most " + spec.params().size() + " positional argument" + (spec.params().size() == 1 ? "" : "s")));
                }
                param = spec.params().get(positional++);
            }
            if (args.given(param.name())) {
                throw new CompileError(a.pos(), spec.name() + " argument '" + param.name() + "' is given twice");
            }
            args.put(param.name(), Evaluator.eval(a.value(), ctx.vars(), ctx.blockIn()), a.value().pos());
        }
        Op op = spec.factory().apply(args);
        if (op == null) return in;     // identity: no node, no index
        String name = claim(ctx, label, call.pos());
        return addNode(name, true, op, List.of(in), call.pos());
    }

    private int blockInstance(Decl.Block block, Element.Call call, int in, Ctx ctx, LabelAt label) {
        if (callStack.contains(block)) {
            StringBuilder cycle = new StringBuilder();
            boolean on = false;
            for (var it = callStack.descendingIterator(); it.hasNext(); ) {
                Decl.Block b = it.next();
                if (b == block) on = true;
                if (on) cycle.append(b.name()).append(" → ");
            }
            throw new CompileError(call.pos(), "block '" + block.name() + "' is recursive: " + cycle + block.name());
        }
        if (callStack.size() >= MAX_BLOCK_DEPTH) {
            throw new CompileError(call.pos(), "blocks nest deeper than the limit of " + MAX_BLOCK_DEPTH);
        }
        Map<String, Value> vars = bindBlockArgs(block, call, ctx, nodes.get(in).shape());
        Scope scope = ctx.scope().child(claim(ctx, label, call.pos()));
        callStack.push(block);
        try {
            return chain(block.body(), in, new Ctx(vars, nodes.get(in).shape(), scope), false);
        } finally {
            callStack.pop();
        }
    }

    /** Arguments are evaluated where the call is written; defaults inside the block, on its input {@code blockIn}. */
    private static Map<String, Value> bindBlockArgs(Decl.Block block, Element.Call call, Ctx ctx, Shape blockIn) {
        List<String> names = block.params().stream().map(Decl.Param::name).toList();
        Map<String, Value> given = new HashMap<>();
        int positional = 0;
        boolean sawNamed = false;
        for (Element.Arg a : call.args()) {
            String name;
            if (a.named()) {
                sawNamed = true;
                name = a.name();
                if (!names.contains(name)) {
                    throw new CompileError(a.pos(), "block " + block.name() + " has no parameter '" + name + "'"
                            + Suggest.didYouMeanOrList(name, names, "its parameters"));
                }
            } else {
                if (sawNamed) throw new CompileError(a.pos(), "a positional argument cannot follow a named one");
                if (positional >= names.size()) {
                    throw new CompileError(a.pos(), "block " + block.name() + " takes " + names.size() + " parameter"
                            + (names.size() == 1 ? "" : "s") + ", but gets more");
                }
                name = names.get(positional++);
            }
            if (given.containsKey(name)) {
                throw new CompileError(a.pos(), "block " + block.name() + " parameter '" + name + "' is given twice");
            }
            given.put(name, Evaluator.eval(a.value(), ctx.vars(), ctx.blockIn()));
        }
        Map<String, Value> vars = new LinkedHashMap<>();
        for (Decl.Param p : block.params()) {
            Value v = given.get(p.name());
            if (v == null) {
                if (p.defaultValue() == null) {
                    throw new CompileError(call.pos(), "block " + block.name() + " needs a value for its parameter '"
                            + p.name() + "'");
                }
                v = Evaluator.eval(p.defaultValue(), vars, blockIn);
            }
            vars.put(p.name(), v);
        }
        return vars;
    }

    private int branches(Element.Branches b, int in, Ctx ctx) {
        List<Integer> outs = new ArrayList<>();
        for (List<Element> branch : b.branches()) outs.add(chain(branch, in, ctx, false));
        if (outs.size() == 1) return outs.get(0);
        Op op = b.merge() == Element.Merge.ADD ? new Op.Add() : new Op.Concat();
        return addNode(ctx.scope().place(op.kind()), false, op, outs, b.pos());
    }

    private int repeat(Element.Repeat r, int in, Ctx ctx, LabelAt label) {
        double count = Evaluator.number(r.count(), ctx.vars(), ctx.blockIn(), "a repeat count");
        if (count != Math.rint(count)) {
            throw new CompileError(r.count().pos(), "a repeat count must be an integer, but is " + count);
        }
        if (count < 0) {
            throw new CompileError(r.count().pos(), "a repeat count must not be negative, but is " + Value.format(count));
        }
        if (count > MAX_NODES) {
            throw new CompileError(r.count().pos(), "a repeat count of " + Value.format(count)
                    + " is over the limit of " + MAX_NODES + " layers");
        }
        Ctx inner = scoped(ctx, label, r.pos());
        int out = in;
        for (int i = 0; i < (int) count; i++) {
            Ctx each = inner;
            if (r.index() != null) {
                Map<String, Value> vars = new LinkedHashMap<>(inner.vars());
                vars.put(r.index(), new Value.Num(i));
                each = new Ctx(vars, inner.blockIn(), inner.scope());
            }
            out = element(r.body(), out, each, null);
        }
        return out;
    }

    private int optional(Element.Optional o, int in, Ctx ctx, LabelAt label) {
        if (o.condition() != null) {
            if (Evaluator.bool(o.condition(), ctx.vars(), ctx.blockIn(), "the condition of an optional")) {
                return element(o.body(), in, ctx, label);
            }
            dropped.add(new Graph.DroppedOptional(o.pos(), describe(o.body(), label), "its condition is false"));
            return in;
        }
        int nodeMark = nodes.size();
        int droppedMark = dropped.size();
        Scope.Mark scopeMark = ctx.scope().mark();
        try {
            return element(o.body(), in, ctx, label);
        } catch (ShapeFailure f) {
            nodes.subList(nodeMark, nodes.size()).clear();
            dropped.subList(droppedMark, dropped.size()).clear();
            ctx.scope().reset(scopeMark);
            dropped.add(new Graph.DroppedOptional(o.pos(), describe(o.body(), label), f.reason()));
            return in;
        }
    }

    private static String describe(Element e, LabelAt label) {
        return label == null ? describe(e) : label.name() + ": " + describe(e);
    }

    private static String describe(Element e) {
        return switch (e) {
            case Element.Call c -> c.name();
            case Element.Labeled l -> l.label().name() + ": " + describe(l.element());
            case Element.Group g -> "[...]";
            case Element.Branches b -> b.merge() == Element.Merge.ADD ? "add {...}" : "concat {...}";
            case Element.Repeat r -> describe(r.body()) + "*...";
            case Element.Optional o -> describe(o.body()) + "?";
            case Element.InputRef i -> "INPUT";
        };
    }

    private int addNode(String name, boolean named, Op op, List<Integer> inputs, Pos pos) {
        if (nodes.size() >= MAX_NODES) {
            throw new CompileError(pos, "the network expands past the limit of " + MAX_NODES + " layers");
        }
        List<Shape> shapes = inputs.stream().map(i -> nodes.get(i).shape()).toList();
        Shape shape;
        try {
            shape = ShapeRules.output(op, shapes);
        } catch (ShapeError e) {
            throw new ShapeFailure(pos, e.getMessage() + (named ? " (layer " + name + ")" : ""), e.getMessage());
        }
        if (shape.elements() > MAX_ELEMENTS) {
            throw new CompileError(pos, op.kind() + " makes a tensor of " + shape.elements()
                    + " elements, over the limit of " + MAX_ELEMENTS);
        }
        int id = nodes.size();
        nodes.add(new Node(id, name, named, op, inputs, shape, pos));
        return id;
    }
}
