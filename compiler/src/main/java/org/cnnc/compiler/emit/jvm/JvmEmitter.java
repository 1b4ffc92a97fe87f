package org.cnnc.compiler.emit.jvm;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.lang.model.element.Modifier;
import org.cnnc.compiler.emit.ModelApi;
import org.cnnc.compiler.emit.ModelNames;
import static org.cnnc.compiler.emit.ModelApi.*;
import org.cnnc.compiler.ir.Graph;
import org.cnnc.compiler.ir.Node;
import org.cnnc.compiler.ir.Shape;
import org.cnnc.compiler.lower.KernelPlan;
import org.cnnc.compiler.lower.KernelPlan.Kernel;
import org.cnnc.compiler.lower.KernelPlan.Location;
import org.cnnc.compiler.shape.StateDict;
import org.cnnc.compiler.summary.OpText;

/**
 * Kernel plan to the Java source of one model class (the jvm target): a method per kernel,
 * specialised to its shapes, and a forward pass that calls them in order on arena buffers.
 * The output is deterministic: the same plan gives the same bytes.
 */
public final class JvmEmitter {
    /** Kernel calls per forward-pass method, to keep each far below the JIT's 8000-bytecode limit. */
    static final int CALLS_PER_METHOD = 64;
    /** Tensors loaded per method of the constructor, for the same reason. */
    static final int LOADS_PER_METHOD = 100;


    /** The emitted model: its source, and the name of the weights resource it loads beside its class. */
    public record Output(JavaFile file, String weightsResource) {}

    private JvmEmitter() {}

    public static Output emit(KernelPlan plan, String packageName, String className, Map<String, String> metadata) {
        Graph g = plan.shaped().graph();
        List<StateDict.Tensor> tensors = StateDict.tensors(g);
        Map<String, String> fields = ModelNames.fields(tensors.stream().map(StateDict.Tensor::name).toList());
        String resource = className + ".safetensors";

        TypeSpec.Builder type = TypeSpec.classBuilder(className)
                .addModifiers(Modifier.PUBLIC, Modifier.FINAL)
                .addSuperinterface(MODEL)
                .addJavadoc("The network $L, compiled by cnnc from $L.\n", g.name(), g.input().pos().file().name())
                .addJavadoc("<p>Input $L, output $L per sample. Generated source: do not edit.\n",
                        g.input().shape(), g.outputNode().shape());

        type.addField(constant(int[].class, "INPUT_SHAPE", intArray(g.input().shape())));
        type.addField(constant(int[].class, "OUTPUT_SHAPE", intArray(g.outputNode().shape())));
        type.addField(FieldSpec.builder(String.class, "WEIGHTS", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .initializer("$S", resource).build());
        type.addField(FieldSpec.builder(PARALLEL, "parallel", Modifier.PRIVATE, Modifier.FINAL).build());
        type.addField(FieldSpec.builder(ARENA_POOL, "arenas", Modifier.PRIVATE, Modifier.FINAL).build());
        for (StateDict.Tensor t : tensors) {
            type.addField(FieldSpec.builder(FLOATS, fields.get(t.name()), Modifier.PRIVATE)
                    .addJavadoc("$L $L\n", t.name(), t.shape()).build());
        }

        Map<Integer, Map<String, String>> prepared = prepared(type, plan, fields);
        List<KernelContext> contexts = new ArrayList<>();
        for (Kernel k : plan.kernels()) contexts.add(context(k, plan.graph(), fields, prepared.getOrDefault(k.index(), Map.of())));
        int setupChunks = setup(type, plan, contexts, tensors, fields);
        constructors(type, tensors, fields, Math.ceilDiv(prepared.size(), LOADS_PER_METHOD), setupChunks, plan);
        accessors(type, plan, metadata);
        forward(type, plan);
        for (int i = 0; i < contexts.size(); i++) kernel(type, plan.kernels().get(i), contexts.get(i));

        JavaFile file = JavaFile.builder(packageName, type.build())
                .skipJavaLangImports(true)
                .indent("    ")
                .build();
        return new Output(file, resource);
    }

    /**
     * Fields and a {@code prepare} method for weights transformed when the model loads (a
     * BatchNorm folded into its conv or fc); returns, per kernel, "weight"/"bias" → field.
     */
    private static Map<Integer, Map<String, String>> prepared(TypeSpec.Builder type, KernelPlan plan, Map<String, String> fields) {
        Map<Integer, Map<String, String>> out = new java.util.TreeMap<>();
        List<CodeBlock> steps = new ArrayList<>();
        for (Kernel k : plan.kernels()) {
            Map<String, String> kernelFields = new java.util.LinkedHashMap<>();   // weight, bias: the order release() nulls them
            // a kernel's own node, then the partner it computes too ("partner.weight", field k<i>p_weight)
            for (Node n : k.partner() == null ? List.of(k.node()) : List.of(k.node(), k.partner())) {
                String key = n == k.node() ? "" : "partner.", name = "k" + k.index() + (n == k.node() ? "" : "p");
                CodeBlock step = prepare(type, plan, fields, n, name + "_weight", name + "_bias");
                if (step == null) continue;
                steps.add(step);
                kernelFields.put(key + "weight", name + "_weight");
                kernelFields.put(key + "bias", name + "_bias");
            }
            if (!kernelFields.isEmpty()) out.put(k.index(), kernelFields);
        }
        for (int chunk = 0; chunk * LOADS_PER_METHOD < steps.size(); chunk++) {
            MethodSpec.Builder m = MethodSpec.methodBuilder("prepare" + chunk).addModifiers(Modifier.PRIVATE)
                    .addJavadoc("Folds BatchNorm statistics and merged fc layers into the weights the kernels use.\n")
                    .addStatement("float[][] f");
            steps.subList(chunk * LOADS_PER_METHOD, Math.min(steps.size(), (chunk + 1) * LOADS_PER_METHOD)).forEach(m::addCode);
            type.addMethod(m.build());
        }
        return out;
    }

    /**
     * Fields {@code w} and {@code b} for node n's weights as its kernel uses them (a BatchNorm or
     * an fc folded in) and the statement that computes them at load; null where n's are its own.
     */
    private static CodeBlock prepare(TypeSpec.Builder type, KernelPlan plan, Map<String, String> fields, Node n, String w, String b) {
        String bn = n.epilogue().batchNorm(), before = n.epilogue().linearBefore();
        if (bn == null && before == null) return null;
        String what = bn != null ? bn + " folded in" : before + " folded in";
        for (String f : List.of(w, b)) {
            type.addField(FieldSpec.builder(FLOATS, f, Modifier.PRIVATE)
                    .addJavadoc("$L with $L\n", n.name(), what).build());
        }
        CodeBlock.Builder step = CodeBlock.builder();
        if (before != null) {
            org.cnnc.compiler.ir.Op.Fc first = (org.cnnc.compiler.ir.Op.Fc) written(plan, before).op();
            org.cnnc.compiler.ir.Op.Fc second = (org.cnnc.compiler.ir.Op.Fc) n.op();
            int in = (int) plan.graph().node(n.inputs().get(0)).shape().elements();
            step.addStatement("f = $T.linear($L, $L, $L, $L, $L, $L, $L)", FOLD,
                    fields.get(before + ".weight"), first.bias() ? fields.get(before + ".bias") : "null",
                    fields.get(n.name() + ".weight"), second.bias() ? fields.get(n.name() + ".bias") : "null",
                    in, first.outFeatures(), second.outFeatures());
        } else {
            boolean ownBias = switch (n.op()) {
                case org.cnnc.compiler.ir.Op.Conv c -> c.bias();
                case org.cnnc.compiler.ir.Op.Fc f -> f.bias();
                default -> throw new IllegalStateException("BatchNorm folded into " + n.op().kind());
            };
            step.addStatement("f = $T.batchNorm($L, $L, $L, $L, $L, $L, $L, $L)", FOLD,
                    fields.get(n.name() + ".weight"), ownBias ? fields.get(n.name() + ".bias") : "null",
                    fields.get(bn + ".weight"), fields.get(bn + ".bias"), fields.get(bn + ".running_mean"),
                    fields.get(bn + ".running_var"), n.epilogue().eps(), n.shape().channels());
        }
        return step.addStatement("$L = f[0]", w).addStatement("$L = f[1]", b).build();
    }

    /** The node of the network as written that has this name. */
    private static Node written(KernelPlan plan, String name) {
        return plan.shaped().graph().nodes().stream().filter(x -> x.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no layer " + name));
    }

    private static void constructors(TypeSpec.Builder type, List<StateDict.Tensor> tensors, Map<String, String> fields,
                                     int prepareChunks, int setupChunks, KernelPlan plan) {
        type.addMethod(MethodSpec.constructorBuilder()
                .addModifiers(Modifier.PUBLIC)
                .addJavadoc("Loads the weights from the class path and uses {@code -Dcnnc.threads} (default: all processors) threads.\n")
                .addStatement("this($T.defaultThreads())", PARALLEL)
                .build());
        MethodSpec.Builder main = MethodSpec.constructorBuilder()
                .addModifiers(Modifier.PUBLIC)
                .addParameter(int.class, "threads")
                .addJavadoc("Loads the weights from the class path and runs kernels on {@code threads} threads.\n")
                .addStatement("$T.warmUp()", VECTOR_SUPPORT)
                .beginControlFlow("try ($T weights = $T.read($T.requireNonNull(getClass().getResourceAsStream(WEIGHTS), WEIGHTS)))",
                        SAFETENSORS, SAFETENSORS, java.util.Objects.class);
        for (int chunk = 0; chunk * LOADS_PER_METHOD < tensors.size(); chunk++) {
            main.addStatement("load$L(weights)", chunk);
            MethodSpec.Builder load = MethodSpec.methodBuilder("load" + chunk)
                    .addModifiers(Modifier.PRIVATE)
                    .addParameter(SAFETENSORS, "weights")
                    .addException(java.io.IOException.class);
            for (StateDict.Tensor t : tensors.subList(chunk * LOADS_PER_METHOD,
                    Math.min(tensors.size(), (chunk + 1) * LOADS_PER_METHOD))) {
                load.addStatement("$L = weights.floats($S)", fields.get(t.name()), t.name());
            }
            type.addMethod(load.build());
        }
        main.nextControlFlow("catch ($T e)", java.io.IOException.class)
                .addStatement("throw new $T(\"cannot load the weights \" + WEIGHTS + \": \" + e.getMessage(), e)",
                        java.io.UncheckedIOException.class)
                .endControlFlow();
        for (int c = 0; c < prepareChunks; c++) main.addStatement("prepare$L()", c);
        for (int c = 0; c < setupChunks; c++) main.addStatement("setup$L()", c);
        main.addStatement("release()")
                .addStatement("parallel = new $T(threads)", PARALLEL)
                .addStatement("arenas = new $T(new int[] {$L}, scratchFloats(threads))", ARENA_POOL,
                        plan.bufferSizes().stream().map(String::valueOf).collect(Collectors.joining(", ")));
        type.addMethod(main.build());
    }

    private static void accessors(TypeSpec.Builder type, KernelPlan plan, Map<String, String> metadata) {
        ModelApi.describe(type, plan.shaped().graph(), plan.shaped().totalParams(),
                override("backend", String.class).addStatement("return $S", "jvm").build(), metadata);
        type.addMethod(override("close", void.class).addStatement("parallel.close()").build());
    }

    private static void forward(TypeSpec.Builder type, KernelPlan plan) {
        Graph g = plan.shaped().graph();
        long in = g.input().shape().elements(), out = g.outputNode().shape().elements();
        MethodSpec.Builder predict = override("predict", void.class)
                .addParameter(float[].class, "input").addParameter(float[].class, "output").addParameter(int.class, "batch")
                .addStatement("$T.checkBatch(input, output, batch, $L, $L)", CALLS, in, out)
                .addStatement("$T arena = arenas.take(batch)", ARENA)
                .beginControlFlow("try");
        List<Kernel> kernels = plan.kernels();
        for (int part = 0; part * CALLS_PER_METHOD < kernels.size(); part++) {
            predict.addStatement("run$L(input, output, batch, arena)", part);
            MethodSpec.Builder run = MethodSpec.methodBuilder("run" + part)
                    .addModifiers(Modifier.PRIVATE)
                    .addParameter(float[].class, "input").addParameter(float[].class, "output")
                    .addParameter(int.class, "batch").addParameter(ARENA, "arena");
            for (Kernel k : kernels.subList(part * CALLS_PER_METHOD, Math.min(kernels.size(), (part + 1) * CALLS_PER_METHOD))) {
                List<String> args = new ArrayList<>();
                for (Location l : k.inputs()) args.add(location(l));
                args.add(location(k.output()));
                if (k.partner() != null) args.add(location(k.partnerOutput()));
                args.add("batch");
                if (RuntimeKernels.handles(k.node())) args.add("arena.scratch()");
                run.addStatement("$L($L)", kernelName(k), String.join(", ", args));
            }
            type.addMethod(run.build());
        }
        predict.nextControlFlow("finally").addStatement("arenas.give(arena)").endControlFlow();
        type.addMethod(predict.build());
    }

    private static String location(Location l) {
        return switch (l) {
            case Location.Input i -> "input";
            case Location.Output o -> "output";
            case Location.Buffer b -> "arena.buffer(" + b.index() + ")";
        };
    }

    static String kernelName(Kernel k) {
        return "k" + k.index() + "_" + k.node().op().kind();
    }

    private static KernelContext context(Kernel k, Graph g, Map<String, String> fields, Map<String, String> prepared) {
        Node n = k.node();
        List<Shape> inShapes = n.inputs().stream().map(i -> g.node(i).shape()).toList();
        if (inShapes.isEmpty()) inShapes = List.of(n.shape());   // the input copied to the output
        return new KernelContext(n, inShapes, fields::get, prepared, false, k.partner());
    }

    /**
     * Fields for the runtime kernel objects, {@code setup} methods that make them when the model
     * loads, {@code release} (the arrays only setup needed), and {@code scratchFloats}.
     * Returns the number of setup methods.
     */
    private static int setup(TypeSpec.Builder type, KernelPlan plan, List<KernelContext> contexts,
                             List<StateDict.Tensor> tensors, Map<String, String> fields) {
        List<CodeBlock> creates = new ArrayList<>();
        List<String> objects = new ArrayList<>();
        java.util.Set<String> stillRead = new java.util.TreeSet<>();
        for (int i = 0; i < contexts.size(); i++) {
            KernelContext k = contexts.get(i);
            if (!RuntimeKernels.handles(k.node())) {
                // Emitted loops read the node's own tensors (BatchNorm statistics, transposed-conv weights).
                for (StateDict.Tensor t : tensors) {
                    if (t.name().startsWith(k.node().name() + ".")) stillRead.add(fields.get(t.name()));
                }
                continue;
            }
            String field = kernelField(plan.kernels().get(i));
            type.addField(FieldSpec.builder(k.partner() != null ? RuntimeKernels.CONV_PAIR : RuntimeKernels.type(k.node()), field,
                    Modifier.PRIVATE).build());
            creates.add(CodeBlock.builder().addStatement(RuntimeKernels.create(field, k)).build());
            objects.add(field);
        }
        int chunks = 0;
        for (; chunks * LOADS_PER_METHOD < creates.size(); chunks++) {
            MethodSpec.Builder m = MethodSpec.methodBuilder("setup" + chunks).addModifiers(Modifier.PRIVATE)
                    .addJavadoc("Makes the convolution, fully connected and pooling kernels, packing their weights.\n");
            creates.subList(chunks * LOADS_PER_METHOD, Math.min(creates.size(), (chunks + 1) * LOADS_PER_METHOD))
                    .forEach(m::addCode);
            type.addMethod(m.build());
        }
        MethodSpec.Builder release = MethodSpec.methodBuilder("release").addModifiers(Modifier.PRIVATE)
                .addJavadoc("Lets go of the arrays the kernels copied when they were made.\n");
        for (StateDict.Tensor t : tensors) {
            String f = fields.get(t.name());
            if (!stillRead.contains(f)) release.addStatement("$L = null", f);
        }
        for (KernelContext k : contexts) {
            for (String f : k.prepared().values()) release.addStatement("$L = null", f);
        }
        type.addMethod(release.build());
        MethodSpec.Builder scratch = MethodSpec.methodBuilder("scratchFloats").addModifiers(Modifier.PRIVATE)
                .returns(long.class).addParameter(int.class, "threads")
                .addJavadoc("The scratch space the largest kernel needs for one call.\n")
                .addStatement("long most = 0");
        for (String o : objects) scratch.addStatement("most = Math.max(most, $L.scratchFloats(threads))", o);
        type.addMethod(scratch.addStatement("return most").build());
        return chunks;
    }

    private static String kernelField(Kernel k) {
        return "k" + k.index();
    }

    /**
     * The kernel's method; for a kernel run as a task ({@link Kernels#runsAsTask}) also its
     * loop as a method of the task's shape and the task field that refers to it.
     */
    private static void kernel(TypeSpec.Builder type, Kernel k, KernelContext ctx) {
        Node n = ctx.node();
        List<Shape> inShapes = ctx.inputs();
        String name = kernelName(k);
        MethodSpec.Builder m = MethodSpec.methodBuilder(name)
                .addModifiers(Modifier.PRIVATE)
                .addJavadoc("$L: $L$L, $L → $L ($L line $L).\n", n.named() ? n.name() : "(" + n.name() + ")",
                        OpText.describe(n.op()), n.epilogue(), inShapes.stream().map(Shape::toString).collect(Collectors.joining(" + ")),
                        n.shape(), n.pos().file().name(), n.pos().line());
        if (!n.absorbed().isEmpty()) m.addJavadoc("<p>Fused into this kernel: $L.\n", String.join(", ", n.absorbed()));
        for (int i = 0; i < inShapes.size(); i++) m.addParameter(float[].class, "x" + i);
        m.addParameter(float[].class, "y");
        if (k.partner() != null) {
            Node p = k.partner();
            m.addJavadoc("<p>Also $L: $L$L → $L, into y2.\n", p.name(), OpText.describe(p.op()), p.epilogue(), p.shape());
            m.addParameter(float[].class, "y2");
        }
        m.addParameter(int.class, "batch");
        if (RuntimeKernels.handles(n)) {
            m.addParameter(float[].class, "scratch");
            m.addCode(RuntimeKernels.call(kernelField(k), ctx));
        } else if (Kernels.runsAsTask(ctx)) {
            // the loop is a method, run through a task field made once: a lambda over the
            // arrays would be a new object on every call
            String task = name + "_task", loop = name + "_range";
            List<String> arrays = new ArrayList<>();
            for (int i = 0; i < Kernels.TASK_INPUTS; i++) arrays.add(i < inShapes.size() ? "x" + i : "null");
            m.addStatement("parallel.forRange(batch * $L, (long) batch * $LL, $L, $L, y, batch, 0)",
                    Kernels.loopRange(ctx), Kernels.work(ctx), task, String.join(", ", arrays));
            type.addField(FieldSpec.builder(PARALLEL_TASK, task, Modifier.PRIVATE, Modifier.FINAL)
                    .initializer("this::$L", loop).build());
            MethodSpec.Builder range = MethodSpec.methodBuilder(loop).addModifiers(Modifier.PRIVATE)
                    .addJavadoc("$L's loop over samples × channels [from, to).\n", name);
            for (int i = 0; i < Kernels.TASK_INPUTS; i++) range.addParameter(float[].class, "x" + i);
            range.addParameter(float[].class, "y").addParameter(int.class, "batch").addParameter(int.class, "unused")
                    .addParameter(int.class, "from").addParameter(int.class, "to")
                    .addCode(Kernels.body(ctx.asTask()));
            type.addMethod(m.build());
            type.addMethod(range.build());
            return;
        } else {
            m.addCode(Kernels.body(ctx));
        }
        type.addMethod(m.build());
    }

    private static FieldSpec constant(Class<?> type, String name, String initializer) {
        return FieldSpec.builder(type, name, Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .initializer("$L", initializer).build();
    }

    private static String intArray(Shape s) {
        return "{" + s.dims().stream().map(String::valueOf).collect(Collectors.joining(", ")) + "}";
    }
}
