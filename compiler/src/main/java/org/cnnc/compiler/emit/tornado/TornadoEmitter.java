package org.cnnc.compiler.emit.tornado;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.lang.model.element.Modifier;
import org.cnnc.compiler.emit.ModelNames;
import org.cnnc.compiler.ir.Graph;
import org.cnnc.compiler.ir.Node;
import org.cnnc.compiler.ir.Op;
import org.cnnc.compiler.ir.Shape;
import org.cnnc.compiler.lower.KernelPlan;
import org.cnnc.compiler.lower.KernelPlan.Kernel;
import org.cnnc.compiler.lower.Lowering;
import org.cnnc.compiler.shape.StateDict;
import org.cnnc.compiler.summary.OpText;

/**
 * Kernel plan to the sources of the tornadovm target, four classes for a model {@code C}:
 * <ul>
 * <li>{@code CKernels}: every kernel as a static method over {@code float[]} whose loop nest is
 *     marked {@code @Parallel} and whose float math is {@code TornadoMath}'s: what TornadoVM
 *     compiles for a device. It needs TornadoVM's API jar to compile, not to load.</li>
 * <li>{@code CJvmKernels}: the same methods in the {@link Dialect#JVM JVM dialect} (no
 *     annotations, {@code java.lang.Math}), which the model runs where TornadoVM is absent,
 *     splitting each kernel's outermost parallel loop across threads.</li>
 * <li>{@code CTaskGraph}: builds one TaskGraph for the whole network (weights sent once, the
 *     input every run, the output back, intermediates kept on the device) and runs it. It is
 *     the only class that uses TornadoVM's runtime, and the model loads it by name only when
 *     that runtime is present.</li>
 * <li>{@code C}: the model ({@code org.cnnc.runtime.Model}): loads and prepares the weights as
 *     the jvm target does, chooses its backend when constructed, and reports it.</li>
 * </ul>
 * Every kernel of {@code CKernels} is checked by {@link SubsetChecker} before the sources are
 * returned. The output is deterministic: the same plan gives the same bytes.
 */
public final class TornadoEmitter {
    /** Kernel calls (or tasks) per generated method, to keep each far below the JIT's 8000-bytecode limit. */
    static final int CALLS_PER_METHOD = 64;
    /** Tensors loaded (or weights prepared) per generated method, for the same reason. */
    static final int LOADS_PER_METHOD = 100;

    /** The emitted sources, and the name of the weights resource the model loads beside its class. */
    public record Output(JavaFile model, JavaFile jvmKernels, JavaFile kernels, JavaFile taskGraph, String weightsResource) {
        /** Every source of the target; {@link #kernels} and {@link #taskGraph} need TornadoVM's API jar to compile. */
        public List<JavaFile> all() {
            return List.of(model, jvmKernels, kernels, taskGraph);
        }

        /** The sources that compile with nothing but the JDK and the cnnc runtime: the model and its JVM kernels. */
        public List<JavaFile> withoutTornado() {
            return List.of(model, jvmKernels);
        }
    }

    /** One kernel of the plan: its spec, the method that runs it, and the model fields it takes as weights. */
    record Call(Kernel kernel, String method, KernelSpec spec, List<String> weightFields) {
        /** The loop count of the kernel's outermost parallel loop for {@code batch} samples, as source. */
        String count(String batch) {
            return spec.perSample() == 1 ? batch : batch + " * " + spec.perSample();
        }
    }

    /**
     * What the generated classes share: names, the model's tensor fields, the weights prepared
     * at load, the kernel calls in order, and the arrays a device keeps (every weight a kernel
     * takes, each once, in order of first use).
     */
    record Layout(KernelPlan plan, String packageName, String className, Map<String, String> metadata,
                  List<StateDict.Tensor> tensors, Map<String, String> fields, Prepared prepared, List<Call> calls,
                  List<String> deviceArrays, String weightsResource) {
        ClassName model() {
            return ClassName.get(packageName, className);
        }

        ClassName kernels() {
            return ClassName.get(packageName, className + "Kernels");
        }

        ClassName jvmKernels() {
            return ClassName.get(packageName, className + "JvmKernels");
        }

        ClassName taskGraph() {
            return ClassName.get(packageName, className + "TaskGraph");
        }

        Graph graph() {
            return plan.shaped().graph();
        }
    }

    private TornadoEmitter() {}

    public static Output emit(KernelPlan plan, String packageName, String className, Map<String, String> metadata) {
        Layout layout = layout(plan, packageName, className, metadata);
        JavaFile kernels = file(layout, kernelClass(layout, Dialect.TORNADO));
        JavaFile jvmKernels = file(layout, kernelClass(layout, Dialect.JVM));
        List<SubsetChecker.Violation> violations = SubsetChecker.check(kernels.toString());
        if (!violations.isEmpty()) {
            throw new IllegalStateException("the emitted TornadoVM kernels of " + className + " leave the subset TornadoVM compiles:\n"
                    + violations.stream().map(SubsetChecker.Violation::toString).collect(Collectors.joining("\n")));
        }
        return new Output(file(layout, ModelClass.type(layout)), jvmKernels, kernels, file(layout, TaskGraphClass.type(layout)),
                layout.weightsResource());
    }

    static JavaFile file(Layout layout, TypeSpec type) {
        return JavaFile.builder(layout.packageName(), type).skipJavaLangImports(true).indent("    ").build();
    }

    static Layout layout(KernelPlan plan, String packageName, String className, Map<String, String> metadata) {
        // the TornadoVM kernels store one output each: convolutions marked to run together run apart
        if (plan.kernels().stream().anyMatch(k -> k.partner() != null)) plan = Lowering.lowerApart(plan.shaped(), plan.graph());
        Graph written = plan.shaped().graph();
        List<StateDict.Tensor> tensors = StateDict.tensors(written);
        Map<String, String> fields = ModelNames.fields(tensors.stream().map(StateDict.Tensor::name).toList());
        Prepared prepared = Prepared.of(plan, fields);
        List<Call> calls = new ArrayList<>();
        LinkedHashSet<String> deviceArrays = new LinkedHashSet<>();
        for (Kernel k : plan.kernels()) {
            Node n = k.node();
            Map<String, String> own = prepared.of(k.index());
            KernelSpec spec = KernelSpecs.of(new KernelSpecs.Context(n, inputShapes(plan.graph(), n), own.containsKey("bias")));
            List<String> weightFields = new ArrayList<>();
            for (String role : spec.weights()) {
                String field = own.containsKey(role) ? own.get(role) : fields.get(n.name() + "." + tensorOf(role));
                if (field == null) throw new IllegalStateException("no tensor for " + role + " of " + n.name());
                weightFields.add(field);
                deviceArrays.add(field);
            }
            calls.add(new Call(k, "k" + k.index() + "_" + n.op().kind(), spec, weightFields));
        }
        return new Layout(plan, packageName, className, Map.copyOf(new LinkedHashMap<>(metadata)), tensors, fields, prepared,
                calls, List.copyOf(deviceArrays), className + ".safetensors");
    }

    private static String tensorOf(String role) {
        return switch (role) {
            case "w" -> "weight";
            case "bias" -> "bias";
            default -> throw new IllegalStateException("the weight " + role + " is prepared at load");
        };
    }

    static List<Shape> inputShapes(Graph g, Node n) {
        List<Shape> in = n.inputs().stream().map(i -> g.node(i).shape()).toList();
        return in.isEmpty() ? List.of(n.shape()) : in;   // the input copied to the output
    }

    private static TypeSpec kernelClass(Layout layout, Dialect dialect) {
        Graph written = layout.graph();
        ClassName name = dialect == Dialect.TORNADO ? layout.kernels() : layout.jvmKernels();
        TypeSpec.Builder type = TypeSpec.classBuilder(name).addModifiers(Modifier.PUBLIC, Modifier.FINAL);
        if (dialect == Dialect.TORNADO) {
            type.addJavadoc("The kernels of $L (compiled by cnnc from $L) as TornadoVM compiles them: static methods over\n",
                            written.name(), written.input().pos().file().name())
                    .addJavadoc("{@code float[]}, their parallel loops marked {@code @Parallel}, float math from {@code TornadoMath}.\n")
                    .addJavadoc("$T runs them in one TaskGraph. Generated source: do not edit.\n", layout.taskGraph());
        } else {
            type.addJavadoc("The kernels of $L (compiled by cnnc from $L) for the JVM: the methods of {@link $T}\n",
                            written.name(), written.input().pos().file().name(), layout.kernels())
                    .addJavadoc("without the {@code @Parallel} annotations and with {@code java.lang.Math} in place of\n")
                    .addJavadoc("{@code TornadoMath}. $T runs them where TornadoVM is absent, splitting each outermost\n", layout.model())
                    .addJavadoc("loop's range {@code [from, to)} across threads. Generated source: do not edit.\n");
        }
        type.addMethod(MethodSpec.constructorBuilder().addModifiers(Modifier.PRIVATE).build());
        for (Call c : layout.calls()) type.addMethod(kernelMethod(layout, c, dialect));
        return type.build();
    }

    private static MethodSpec kernelMethod(Layout layout, Call c, Dialect d) {
        Node n = c.kernel().node();
        List<Shape> inShapes = inputShapes(layout.plan().graph(), n);
        KernelSpec spec = c.spec();
        MethodSpec.Builder m = MethodSpec.methodBuilder(c.method())
                .addModifiers(Modifier.PUBLIC, Modifier.STATIC)
                .addJavadoc("$L: $L$L, $L → $L ($L line $L).\n", n.named() ? n.name() : "(" + n.name() + ")",
                        OpText.describe(n.op()), n.epilogue(), inShapes.stream().map(Shape::toString).collect(Collectors.joining(" + ")),
                        n.shape(), n.pos().file().name(), n.pos().line());
        if (!n.absorbed().isEmpty()) m.addJavadoc("<p>Fused into this kernel: $L.\n", String.join(", ", n.absorbed()));
        m.addJavadoc("<p>Computes {@code count} of the batch × $L $L from {@code from} on (the outermost loop starts\n", spec.perSample(), what(spec))
                .addJavadoc("at 0, as TornadoVM requires; the JVM fallback splits the range across threads with {@code from}).\n");
        for (int i = 0; i < inShapes.size(); i++) m.addParameter(float[].class, "x" + i);
        for (String w : spec.weights()) m.addParameter(float[].class, w);
        m.addParameter(float[].class, "y").addParameter(int.class, "from").addParameter(int.class, "count");
        CodeBlock.Builder b = CodeBlock.builder();
        b.add(spec.constants());
        b.beginControlFlow("for ($Lint at = 0; at < count; at++)", d.parallel());
        for (String[] loop : spec.inner()) {
            b.beginControlFlow("for ($Lint $L = 0; $L < $L; $L++)", d.parallel(), loop[0], loop[0], loop[1], loop[0]);
        }
        b.addStatement("int $L = from + at", spec.outer());
        b.add(spec.body().apply(d));
        for (int i = 0; i <= spec.inner().size(); i++) b.endControlFlow();
        return m.addCode(b.build()).build();
    }

    private static String what(KernelSpec spec) {
        return switch (spec.outer()) {
            case "nc" -> "(sample, channel) pairs";
            case "no" -> "(sample, output) pairs";
            case "t" -> "(sample, position) pairs";
            default -> "elements";
        };
    }

    /** The op of a layer of the network as written, by name. */
    static Node written(KernelPlan plan, String name) {
        return plan.shaped().graph().nodes().stream().filter(x -> x.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no layer " + name));
    }

    /** Whether the op owns a bias tensor. */
    static boolean ownBias(Op op) {
        return switch (op) {
            case Op.Conv c -> c.bias();
            case Op.Fc f -> f.bias();
            case Op.ConvTranspose t -> t.bias();
            default -> false;
        };
    }
}
