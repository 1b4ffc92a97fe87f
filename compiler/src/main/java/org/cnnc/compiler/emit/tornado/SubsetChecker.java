package org.cnnc.compiler.emit.tornado;

import com.sun.source.tree.AnnotationTree;
import com.sun.source.tree.ArrayTypeTree;
import com.sun.source.tree.AssertTree;
import com.sun.source.tree.BinaryTree;
import com.sun.source.tree.BlockTree;
import com.sun.source.tree.BreakTree;
import com.sun.source.tree.ClassTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.ContinueTree;
import com.sun.source.tree.DoWhileLoopTree;
import com.sun.source.tree.EnhancedForLoopTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.ForLoopTree;
import com.sun.source.tree.IdentifierTree;
import com.sun.source.tree.InstanceOfTree;
import com.sun.source.tree.LabeledStatementTree;
import com.sun.source.tree.LambdaExpressionTree;
import com.sun.source.tree.LiteralTree;
import com.sun.source.tree.MemberReferenceTree;
import com.sun.source.tree.MemberSelectTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.MethodTree;
import javax.lang.model.element.Modifier;
import com.sun.source.tree.NewArrayTree;
import com.sun.source.tree.NewClassTree;
import com.sun.source.tree.PrimitiveTypeTree;
import com.sun.source.tree.ReturnTree;
import com.sun.source.tree.StatementTree;
import com.sun.source.tree.SwitchExpressionTree;
import com.sun.source.tree.SwitchTree;
import com.sun.source.tree.SynchronizedTree;
import com.sun.source.tree.ThrowTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.TryTree;
import com.sun.source.tree.TypeCastTree;
import com.sun.source.tree.UnaryTree;
import com.sun.source.tree.VariableTree;
import com.sun.source.tree.WhileLoopTree;
import com.sun.source.tree.YieldTree;
import com.sun.source.util.JavacTask;
import com.sun.source.util.SourcePositions;
import com.sun.source.util.TreeScanner;
import com.sun.source.util.Trees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.lang.model.type.TypeKind;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;

/**
 * Checks that the source of a kernel class stays in the subset of Java TornadoVM compiles for
 * a device, reading it with javac's own parser (no class path needed). A kernel class holds
 * static methods only (and a private empty constructor, and static final primitive constants).
 * A method takes primitives, primitive arrays and TornadoVM's array types; its body allocates
 * nothing, throws and catches nothing, locks nothing, calls no lambda, no instance method and
 * no method outside {@code TornadoMath}, {@code Math.min/max/abs} and small helpers of its own
 * class (which TornadoVM inlines, so none may recurse), declares primitive locals only, and
 * does no double arithmetic (a device may lack fp64; {@code java.lang.Math}'s transcendental
 * functions are double, {@code TornadoMath}'s are float). Parallel loops ({@code @Parallel})
 * are {@code for (@Parallel int i = CONSTANT; i < bound; i++)} (TornadoVM's sketcher bails out
 * on a start or stride that is not a constant before it specialises the scalars), at most
 * three perfectly nested ones at the top of the method, with no {@code break},
 * {@code continue} or {@code return} of their own; and, as cnnc's fallback splits the outermost
 * one across threads, a kernel ends with parameters {@code int from, int count} and its
 * outermost parallel loop runs from 0 to {@code count}.
 */
public final class SubsetChecker {
    /** A construct outside the subset: where, and what. */
    public record Violation(String method, long line, String message) {
        @Override
        public String toString() {
            return "line " + line + (method.isEmpty() ? "" : ", " + method) + ": " + message;
        }
    }

    /** TornadoVM's array types, which a kernel may take besides primitive arrays. */
    static final Set<String> TORNADO_TYPES = Set.of("IntArray", "FloatArray", "DoubleArray", "LongArray", "ShortArray",
            "ByteArray", "CharArray", "HalfFloatArray", "KernelContext");
    /** java.lang.Math functions with float and int overloads, which TornadoVM maps to device built-ins. */
    static final Set<String> MATH = Set.of("min", "max", "abs");
    /** Statements a helper may have for TornadoVM to inline it. */
    static final int HELPER_STATEMENTS = 16;

    private SubsetChecker() {}

    /** The violations in a compilation unit's source; empty when it is in the subset. */
    public static List<Violation> check(String source) {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) throw new IllegalStateException("this Java runtime has no compiler (javac); run cnnc on a JDK, not a JRE");
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        JavaFileObject file = new SimpleJavaFileObject(URI.create("string:///Kernels.java"), JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return source;
            }
        };
        JavacTask task = (JavacTask) javac.getTask(null, null, diagnostics, List.of("-proc:none", "-classpath", ""), null, List.of(file));
        List<Violation> out = new ArrayList<>();
        Iterable<? extends CompilationUnitTree> units;
        try {
            units = task.parse();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
            if (d.getKind() == Diagnostic.Kind.ERROR && d.getSource() == file) out.add(new Violation("", d.getLineNumber(), "does not parse: " + d.getMessage(Locale.ROOT)));
        }
        if (!out.isEmpty()) return out;
        SourcePositions positions = Trees.instance(task).getSourcePositions();
        for (CompilationUnitTree unit : units) {
            for (Tree t : unit.getTypeDecls()) {
                if (t instanceof ClassTree c) new ClassCheck(unit, positions, out).check(c);
            }
        }
        return out;
    }

    private static final class ClassCheck {
        private final CompilationUnitTree unit;
        private final SourcePositions positions;
        private final List<Violation> out;
        private final Map<String, MethodTree> methods = new LinkedHashMap<>();
        private final Map<String, Set<String>> calls = new HashMap<>();
        private final Set<String> kernels = new HashSet<>();

        ClassCheck(CompilationUnitTree unit, SourcePositions positions, List<Violation> out) {
            this.unit = unit;
            this.positions = positions;
            this.out = out;
        }

        void check(ClassTree c) {
            if (c.getKind() != Tree.Kind.CLASS) report("", c, "a kernel class is a plain class, not " + c.getKind().toString().toLowerCase(Locale.ROOT));
            for (Tree member : c.getMembers()) {
                switch (member) {
                    case MethodTree m when m.getName().contentEquals("<init>") -> constructor(m);
                    case MethodTree m -> {
                        if (methods.put(m.getName().toString(), m) != null) report(m.getName().toString(), m, "overloaded: kernels and helpers need distinct names");
                    }
                    case VariableTree v -> field(v);
                    default -> report("", member, "a kernel class holds static methods only, not a " + member.getKind().toString().toLowerCase(Locale.ROOT));
                }
            }
            methods.values().forEach(this::method);
            recursion();
            for (var e : calls.entrySet()) {
                for (String callee : e.getValue()) {
                    MethodTree m = methods.get(callee);
                    if (m == null) continue;
                    if (kernels.contains(callee)) report(e.getKey(), m, "calls the kernel " + callee + ": only helpers without @Parallel loops may be called");
                    int statements = statements(m);
                    if (statements > HELPER_STATEMENTS) {
                        report(callee, m, "a helper TornadoVM inlines must stay small: " + statements + " statements, at most " + HELPER_STATEMENTS);
                    }
                }
            }
        }

        private void constructor(MethodTree m) {
            boolean empty = m.getBody() == null || m.getBody().getStatements().isEmpty()
                    || m.getBody().getStatements().size() == 1 && m.getBody().getStatements().get(0).toString().startsWith("super(");
            if (!m.getModifiers().getFlags().contains(Modifier.PRIVATE) || !m.getParameters().isEmpty() || !empty) {
                report("", m, "a kernel class may have only a private, empty constructor");
            }
        }

        private void field(VariableTree v) {
            Set<Modifier> flags = v.getModifiers().getFlags();
            if (!flags.contains(Modifier.STATIC) || !flags.contains(Modifier.FINAL) || !(v.getType() instanceof PrimitiveTypeTree)
                    || !(v.getInitializer() instanceof LiteralTree)) {
                report("", v, "field " + v.getName() + ": a kernel class holds only static final primitive constants");
            }
        }

        private void method(MethodTree m) {
            String name = m.getName().toString();
            Set<Modifier> flags = m.getModifiers().getFlags();
            if (!flags.contains(Modifier.STATIC)) report(name, m, "not static: TornadoVM compiles static methods");
            for (Modifier f : List.of(Modifier.SYNCHRONIZED, Modifier.NATIVE, Modifier.ABSTRACT)) {
                if (flags.contains(f)) report(name, m, f + " method");
            }
            if (!m.getThrows().isEmpty()) report(name, m, "declares exceptions");
            if (!m.getTypeParameters().isEmpty()) report(name, m, "generic method");
            Tree returns = m.getReturnType();
            if (!(returns instanceof PrimitiveTypeTree)) report(name, m, "returns " + returns + ": only void or a primitive");
            for (VariableTree p : m.getParameters()) {
                if (!parameterType(p.getType())) {
                    report(name, p, "parameter " + p.getName() + " is " + p.getType() + ": only primitives, primitive arrays and TornadoVM's arrays");
                }
                if (p.getType() instanceof PrimitiveTypeTree t && t.getPrimitiveTypeKind() == TypeKind.DOUBLE) {
                    report(name, p, "parameter " + p.getName() + " is double");
                }
            }
            if (m.getBody() == null) {
                report(name, m, "has no body");
                return;
            }
            parallelNests(name, m);
            new BodyScan(name).scan(m.getBody(), null);
        }

            /** Parallel loops: perfectly nested, at most three, one nest at the top of the method, from..to outermost. */
        private void parallelNests(String name, MethodTree m) {
            int nests = 0;
            Set<ForLoopTree> nested = new HashSet<>();
            for (StatementTree s : m.getBody().getStatements()) {
                if (s instanceof ForLoopTree f && parallel(f)) {
                    nests++;
                    kernels.add(name);
                    if (nests > 1) report(name, f, "a second @Parallel loop nest: a kernel has one");
                    outermost(name, m, f);
                    nest(name, f, 1, nested);
                }
            }
            new TreeScanner<Void, Void>() {
                @Override
                public Void visitForLoop(ForLoopTree node, Void p) {
                    if (parallel(node) && !nested.contains(node)) {
                        report(name, node, "a @Parallel loop that is not perfectly nested at the top of the method "
                                + "(TornadoVM maps one nest of up to three loops to its ND-range)");
                    }
                    return super.visitForLoop(node, p);
                }
            }.scan(m.getBody(), null);
        }

        private void outermost(String name, MethodTree m, ForLoopTree f) {
            List<? extends VariableTree> ps = m.getParameters();
            boolean params = ps.size() >= 2 && ps.get(ps.size() - 2).getName().contentEquals("from")
                    && ps.get(ps.size() - 1).getName().contentEquals("count");
            VariableTree v = f.getInitializer().size() == 1 && f.getInitializer().get(0) instanceof VariableTree t ? t : null;
            boolean range = v != null && v.getInitializer() instanceof LiteralTree zero && Integer.valueOf(0).equals(zero.getValue())
                    && f.getCondition() instanceof BinaryTree c && c.getRightOperand() instanceof IdentifierTree count
                    && count.getName().contentEquals("count");
            if (!params || !range) {
                report(name, f, "the outermost @Parallel loop must run from 0 to the last parameter, count, after int from "
                        + "(the JVM fallback splits [from, from + count) across threads)");
            }
        }

        private void nest(String name, ForLoopTree f, int depth, Set<ForLoopTree> nested) {
            nested.add(f);
            if (depth > KernelSpec.MAX_PARALLEL_LOOPS) {
                report(name, f, "more than " + KernelSpec.MAX_PARALLEL_LOOPS + " nested @Parallel loops: TornadoVM maps at most three to its ND-range");
            }
            loopForm(name, f);
            StatementTree body = f.getStatement();
            List<? extends StatementTree> inner = body instanceof BlockTree b ? b.getStatements() : List.of(body);
            if (inner.size() == 1 && inner.get(0) instanceof ForLoopTree g && parallel(g)) nest(name, g, depth + 1, nested);
        }

        private void loopForm(String name, ForLoopTree f) {
            VariableTree v = f.getInitializer().size() == 1 ? (VariableTree) f.getInitializer().get(0) : null;
            boolean form = v != null && v.getType() instanceof PrimitiveTypeTree t && t.getPrimitiveTypeKind() == TypeKind.INT
                    && v.getInitializer() instanceof LiteralTree init && init.getValue() instanceof Integer
                    && f.getCondition() instanceof BinaryTree c && c.getKind() == Tree.Kind.LESS_THAN
                    && c.getLeftOperand() instanceof IdentifierTree i && i.getName().contentEquals(v.getName())
                    && f.getUpdate().size() == 1 && increments(f.getUpdate().get(0).getExpression(), v.getName().toString());
            if (!form) {
                report(name, f, "a @Parallel loop has the form for (@Parallel int i = CONSTANT; i < bound; i++ or i += CONSTANT) "
                        + "(TornadoVM's sketcher needs a constant start and stride)");
            }
        }

        private boolean increments(ExpressionTree e, String variable) {
            if (e instanceof UnaryTree u && (u.getKind() == Tree.Kind.POSTFIX_INCREMENT || u.getKind() == Tree.Kind.PREFIX_INCREMENT)) {
                return u.getExpression() instanceof IdentifierTree i && i.getName().contentEquals(variable);
            }
            return e instanceof com.sun.source.tree.CompoundAssignmentTree a && a.getKind() == Tree.Kind.PLUS_ASSIGNMENT
                    && a.getVariable() instanceof IdentifierTree i && i.getName().contentEquals(variable)
                    && a.getExpression() instanceof LiteralTree;
        }

        private void recursion() {
            Set<String> done = new HashSet<>();
            for (String m : methods.keySet()) cycle(m, new ArrayDeque<>(), done);
        }

        private void cycle(String m, Deque<String> path, Set<String> done) {
            if (path.contains(m)) {
                List<String> loop = new ArrayList<>(path);
                java.util.Collections.reverse(loop);
                loop = loop.subList(loop.indexOf(m), loop.size());
                report(m, methods.get(m), "recursion (" + String.join(" → ", loop) + " → " + m + "): TornadoVM inlines every call");
                return;
            }
            if (!done.add(m)) return;
            path.push(m);
            for (String callee : calls.getOrDefault(m, Set.of())) {
                if (methods.containsKey(callee)) cycle(callee, path, done);
            }
            path.pop();
        }

        private int statements(MethodTree m) {
            int[] n = {0};
            new TreeScanner<Void, Void>() {
                @Override
                public Void scan(Tree tree, Void p) {
                    if (tree instanceof StatementTree && !(tree instanceof BlockTree)) n[0]++;
                    return super.scan(tree, p);
                }
            }.scan(m.getBody(), null);
            return n[0];
        }

        private void report(String method, Tree at, String message) {
            long pos = positions.getStartPosition(unit, at);
            out.add(new Violation(method, pos < 0 ? 0 : unit.getLineMap().getLineNumber(pos), message));
        }

        private static boolean parameterType(Tree type) {
            if (type instanceof PrimitiveTypeTree) return true;
            if (type instanceof ArrayTypeTree a) return a.getType() instanceof PrimitiveTypeTree;
            return type instanceof IdentifierTree i && TORNADO_TYPES.contains(i.getName().toString())
                    || type instanceof MemberSelectTree s && TORNADO_TYPES.contains(s.getIdentifier().toString());
        }

        static boolean parallel(ForLoopTree f) {
            if (f.getInitializer().size() != 1 || !(f.getInitializer().get(0) instanceof VariableTree v)) return false;
            for (AnnotationTree a : v.getModifiers().getAnnotations()) {
                String type = a.getAnnotationType().toString();
                if (type.equals("Parallel") || type.endsWith(".Parallel")) return true;
            }
            return false;
        }

        /** Everything inside a method body. */
        private final class BodyScan extends TreeScanner<Void, Void> {
            private final String method;
            /** The loops around the node being visited, innermost first: true for a parallel one. */
            private final Deque<Boolean> loops = new ArrayDeque<>();

            BodyScan(String method) {
                this.method = method;
            }

            private Void forbid(Tree t, String what) {
                report(method, t, what);
                return null;
            }

            @Override
            public Void visitNewClass(NewClassTree t, Void p) {
                return forbid(t, "allocates an object (new " + t.getIdentifier() + ")");
            }

            @Override
            public Void visitNewArray(NewArrayTree t, Void p) {
                return forbid(t, "allocates an array");
            }

            @Override
            public Void visitThrow(ThrowTree t, Void p) {
                return forbid(t, "throws an exception");
            }

            @Override
            public Void visitTry(TryTree t, Void p) {
                return forbid(t, "try/catch");
            }

            @Override
            public Void visitSynchronized(SynchronizedTree t, Void p) {
                return forbid(t, "synchronized");
            }

            @Override
            public Void visitLambdaExpression(LambdaExpressionTree t, Void p) {
                return forbid(t, "a lambda");
            }

            @Override
            public Void visitMemberReference(MemberReferenceTree t, Void p) {
                return forbid(t, "a method reference");
            }

            @Override
            public Void visitInstanceOf(InstanceOfTree t, Void p) {
                return forbid(t, "instanceof");
            }

            @Override
            public Void visitSwitch(SwitchTree t, Void p) {
                return forbid(t, "switch");
            }

            @Override
            public Void visitSwitchExpression(SwitchExpressionTree t, Void p) {
                return forbid(t, "switch");
            }

            @Override
            public Void visitYield(YieldTree t, Void p) {
                return forbid(t, "yield");
            }

            @Override
            public Void visitAssert(AssertTree t, Void p) {
                return forbid(t, "assert (it throws)");
            }

            @Override
            public Void visitLabeledStatement(LabeledStatementTree t, Void p) {
                return forbid(t, "a labelled statement");
            }

            @Override
            public Void visitEnhancedForLoop(EnhancedForLoopTree t, Void p) {
                return forbid(t, "a for-each loop (it uses an iterator or hides the index)");
            }

            @Override
            public Void visitClass(ClassTree t, Void p) {
                return forbid(t, "declares a class");
            }

            @Override
            public Void visitLiteral(LiteralTree t, Void p) {
                switch (t.getKind()) {
                    case STRING_LITERAL -> forbid(t, "a string");
                    case DOUBLE_LITERAL -> forbid(t, "a double literal " + t.getValue() + ": kernels compute in float");
                    case NULL_LITERAL -> forbid(t, "null");
                    default -> { }
                }
                return null;
            }

            @Override
            public Void visitVariable(VariableTree t, Void p) {
                Tree type = t.getType();
                if (!(type instanceof PrimitiveTypeTree pt)) {
                    forbid(t, "local " + t.getName() + " is " + type + ": kernels declare primitive locals only");
                } else if (pt.getPrimitiveTypeKind() == TypeKind.DOUBLE) {
                    forbid(t, "local " + t.getName() + " is double: kernels compute in float");
                }
                scan(t.getInitializer(), p);
                return null;
            }

            @Override
            public Void visitTypeCast(TypeCastTree t, Void p) {
                if (!(t.getType() instanceof PrimitiveTypeTree pt)) {
                    forbid(t, "a cast to " + t.getType());
                } else if (pt.getPrimitiveTypeKind() == TypeKind.DOUBLE) {
                    forbid(t, "a cast to double: kernels compute in float");
                }
                return scan(t.getExpression(), p);
            }

            @Override
            public Void visitMethodInvocation(MethodInvocationTree t, Void p) {
                ExpressionTree select = t.getMethodSelect();
                if (select instanceof IdentifierTree i) {
                    calls.computeIfAbsent(method, k -> new HashSet<>()).add(i.getName().toString());
                    if (!methods.containsKey(i.getName().toString())) forbid(t, "calls " + i.getName() + ", which this class does not declare");
                } else if (select instanceof MemberSelectTree s) {
                    scan(s.getExpression(), p);
                    String owner = s.getExpression().toString(), name = s.getIdentifier().toString();
                    boolean tornadoMath = owner.equals("TornadoMath") || owner.equals("uk.ac.manchester.tornado.api.math.TornadoMath");
                    boolean math = owner.equals("Math") || owner.equals("java.lang.Math");
                    if (math && !MATH.contains(name)) {
                        forbid(t, "calls Math." + name + ", which works in double: use TornadoMath." + name);
                    } else if (!tornadoMath && !math) {
                        forbid(t, "calls " + owner + "." + name + ": only TornadoMath, Math.min/max/abs and static helpers of this class");
                    }
                } else {
                    forbid(t, "calls " + select);
                }
                for (ExpressionTree a : t.getArguments()) scan(a, p);
                return null;
            }

            @Override
            public Void visitMemberSelect(MemberSelectTree t, Void p) {
                String owner = t.getExpression().toString(), name = t.getIdentifier().toString();
                boolean constant = (owner.equals("Float") || owner.equals("Integer")) && name.equals(name.toUpperCase(Locale.ROOT));
                boolean length = name.equals("length") && t.getExpression() instanceof IdentifierTree;
                if (!constant && !length) forbid(t, "reads " + t + ": kernels read their parameters and locals only");
                return null;
            }

            @Override
            public Void visitForLoop(ForLoopTree t, Void p) {
                loops.push(parallel(t));
                super.visitForLoop(t, p);
                loops.pop();
                return null;
            }

            @Override
            public Void visitWhileLoop(WhileLoopTree t, Void p) {
                loops.push(false);
                super.visitWhileLoop(t, p);
                loops.pop();
                return null;
            }

            @Override
            public Void visitDoWhileLoop(DoWhileLoopTree t, Void p) {
                loops.push(false);
                super.visitDoWhileLoop(t, p);
                loops.pop();
                return null;
            }

            @Override
            public Void visitBreak(BreakTree t, Void p) {
                if (Boolean.TRUE.equals(loops.peek())) forbid(t, "break out of a @Parallel loop");
                return null;
            }

            @Override
            public Void visitContinue(ContinueTree t, Void p) {
                if (Boolean.TRUE.equals(loops.peek())) forbid(t, "continue in a @Parallel loop (each iteration is its own thread)");
                return null;
            }

            @Override
            public Void visitReturn(ReturnTree t, Void p) {
                if (loops.contains(Boolean.TRUE)) forbid(t, "return inside a @Parallel loop");
                return super.visitReturn(t, p);
            }
        }
    }
}
