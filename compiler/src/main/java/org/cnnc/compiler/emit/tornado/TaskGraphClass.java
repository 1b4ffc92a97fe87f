package org.cnnc.compiler.emit.tornado;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import java.util.List;
import java.util.stream.Collectors;
import javax.lang.model.element.Modifier;
import org.cnnc.compiler.emit.tornado.TornadoEmitter.Call;
import org.cnnc.compiler.emit.tornado.TornadoEmitter.Layout;
import org.cnnc.compiler.lower.KernelPlan.Location;

/**
 * The one class of the tornadovm target that uses TornadoVM's runtime: for each batch size it
 * builds a TaskGraph of the whole network, a task per kernel in plan order, with the weights
 * and the intermediate buffers sent to the device on the first execution only (the buffers are
 * never read back, so intermediates stay on the device), the input sent on every execution and
 * the output brought back; then it snapshots the graph into a TornadoExecutionPlan and runs it.
 * Nothing here runs in a static initialiser: the model creates this class by reflection, and
 * the graph of a batch size is built on its first call.
 */
final class TaskGraphClass {
    private static final String API = "uk.ac.manchester.tornado.api";
    static final ClassName TASK_GRAPH = ClassName.get(API, "TaskGraph");
    static final ClassName EXECUTION_PLAN = ClassName.get(API, "TornadoExecutionPlan");
    static final ClassName IMMUTABLE_TASK_GRAPH = ClassName.get(API, "ImmutableTaskGraph");
    static final ClassName DATA_TRANSFER_MODE = ClassName.get(API + ".enums", "DataTransferMode");
    static final ClassName PROFILER_MODE = ClassName.get(API + ".enums", "ProfilerMode");
    static final ClassName TORNADO_DEVICE = ClassName.get(API + ".common", "TornadoDevice");
    private static final TypeName FLOATS = ArrayTypeName.of(TypeName.FLOAT);
    private static final TypeName FLOATS2 = ArrayTypeName.of(FLOATS);

    /** Execution plans kept (one per batch size, least recently used dropped first), unless -Dcnnc.tornado.plans says otherwise. */
    static final int DEFAULT_PLANS = 4;

    private TaskGraphClass() {}

    static TypeSpec type(Layout layout) {
        ClassName self = layout.taskGraph();
        ClassName plan = self.nestedClass("Plan");
        long in = layout.graph().input().shape().elements(), out = layout.graph().outputNode().shape().elements();
        Segments seg = Segments.of(layout);
        TypeSpec.Builder type = TypeSpec.classBuilder(self)
                .addModifiers(Modifier.FINAL)
                .addSuperinterface(layout.model().nestedClass("Device"))
                .addJavadoc("Runs $L on TornadoVM: per batch size, one execution plan of its $L tasks (the methods of {@link $T})\n",
                        layout.graph().name(), layout.calls().size(), layout.kernels())
                .addJavadoc("in one TaskGraph, or in several run in order where they exceed what TornadoVM holds in one.\n")
                .addJavadoc("Weights and intermediate buffers go to the device on the first execution and stay there;\n")
                .addJavadoc("the input goes every execution and the output comes back. Calls are serialised.\n")
                .addJavadoc("<p>System properties: {@code cnnc.tornado.device=B:D} runs on TornadoVM's backend B, device D\n")
                .addJavadoc("(as {@code tornado --devices} numbers them; default: TornadoVM's default device);\n")
                .addJavadoc("{@code cnnc.tornado.profiler=console|silent} turns on TornadoVM's profiler;\n")
                .addJavadoc("{@code cnnc.tornado.plans=N} keeps the plans of N batch sizes (default $L).\n", DEFAULT_PLANS)
                .addJavadoc("{@code tornado.recover.bailout} is set to false unless given, so that a kernel TornadoVM cannot\n")
                .addJavadoc("compile is an error rather than a silent run of sequential Java, and {@code tornado.tvm.maxbytecodesize}\n")
                .addJavadoc("is raised to what the graphs need where TornadoVM's default is too small (both only take effect if\n")
                .addJavadoc("TornadoVM has not read them yet in this JVM).\n")
                .addJavadoc("Loaded by {@link $T} only where TornadoVM's runtime is present. Generated source: do not edit.\n",
                        layout.model());

        type.addType(TypeSpec.recordBuilder(plan)
                .addModifiers(Modifier.PRIVATE)
                .addJavadoc("The arrays a batch size's TaskGraph is bound to, and its execution plan.\n")
                .recordConstructor(MethodSpec.constructorBuilder()
                        .addParameter(float[].class, "input").addParameter(float[].class, "output")
                        .addParameter(EXECUTION_PLAN, "execution").build())
                .build());

        type.addField(FieldSpec.builder(int.class, "INPUT", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .initializer("$L", in).build());
        type.addField(FieldSpec.builder(int.class, "OUTPUT", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .initializer("$L", out).build());
        type.addField(FieldSpec.builder(int[].class, "BUFFERS", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("Floats per sample of each intermediate buffer, as the kernel plan assigned them.\n")
                .initializer("{$L}", layout.plan().bufferSizes().stream().map(String::valueOf).collect(Collectors.joining(", ")))
                .build());
        type.addField(FieldSpec.builder(java.util.concurrent.atomic.AtomicInteger.class, "INSTANCES",
                Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .initializer("new $T()", java.util.concurrent.atomic.AtomicInteger.class).build());
        type.addField(FieldSpec.builder(FLOATS2, "weights", Modifier.PRIVATE, Modifier.FINAL).build());
        type.addField(FieldSpec.builder(String.class, "name", Modifier.PRIVATE, Modifier.FINAL).build());
        type.addField(FieldSpec.builder(TORNADO_DEVICE, "device", Modifier.PRIVATE, Modifier.FINAL)
                .addJavadoc("The device asked for with -Dcnnc.tornado.device, or null for TornadoVM's default.\n").build());
        type.addField(FieldSpec.builder(PROFILER_MODE, "profiler", Modifier.PRIVATE, Modifier.FINAL).build());
        type.addField(FieldSpec.builder(int.class, "capacity", Modifier.PRIVATE, Modifier.FINAL).build());
        type.addField(FieldSpec.builder(ParameterizedTypeName.get(ClassName.get(java.util.LinkedHashMap.class),
                                ClassName.get(Integer.class), plan), "plans", Modifier.PRIVATE, Modifier.FINAL)
                .initializer("new $T<>(8, 0.75f, true)", java.util.LinkedHashMap.class).build());

        type.addMethod(MethodSpec.constructorBuilder()
                .addJavadoc("Takes the weights the kernels read, in the order of {@code $T.deviceArrays()}.\n", layout.model())
                .addParameter(FLOATS2, "weights")
                .beginControlFlow("if (System.getProperty($S) == null)", "tornado.recover.bailout")
                .addStatement("System.setProperty($S, $S)", "tornado.recover.bailout", "false")
                .endControlFlow()
                .beginControlFlow("if (System.getProperty($S) == null && BYTECODE_SIZE > $L)", "tornado.tvm.maxbytecodesize", 4096)
                .addStatement("System.setProperty($S, Integer.toString(BYTECODE_SIZE))", "tornado.tvm.maxbytecodesize")
                .endControlFlow()
                .addStatement("this.weights = weights")
                .addStatement("this.name = $S + INSTANCES.incrementAndGet()", "cnnc_" + layout.className() + "_")
                .addStatement("this.device = device(System.getProperty($S))", "cnnc.tornado.device")
                .addStatement("String p = System.getProperty($S)", "cnnc.tornado.profiler")
                .addStatement("this.profiler = p == null ? null : $T.valueOf(p.strip().toUpperCase($T.ROOT))",
                        PROFILER_MODE, java.util.Locale.class)
                .addStatement("this.capacity = Integer.getInteger($S, $L)", "cnnc.tornado.plans", DEFAULT_PLANS)
                .beginControlFlow("if (capacity < 1)")
                .addStatement("throw new $T(\"-Dcnnc.tornado.plans must be at least 1, not \" + capacity)", IllegalArgumentException.class)
                .endControlFlow()
                .addStatement("description()")
                .build());

        type.addMethod(MethodSpec.methodBuilder("device").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(TORNADO_DEVICE)
                .addParameter(String.class, "spec")
                .addStatement("if (spec == null) return null")
                .addStatement("String[] parts = spec.strip().split(\":\")")
                .beginControlFlow("try")
                .beginControlFlow("if (parts.length == 2)")
                .addStatement("return $T.getDevice(Integer.parseInt(parts[0].strip()), Integer.parseInt(parts[1].strip()))",
                        EXECUTION_PLAN)
                .endControlFlow()
                .nextControlFlow("catch ($T e)", NumberFormatException.class)
                .addComment("reported below")
                .endControlFlow()
                .addStatement("throw new $T(\"-Dcnnc.tornado.device takes BACKEND:DEVICE as `tornado --devices` numbers them, not \" + spec)",
                        IllegalArgumentException.class)
                .build());

        type.addMethod(MethodSpec.methodBuilder("description").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
                .returns(String.class)
                .addStatement("$T d = device != null ? device : $T.DEFAULT_DEVICE", TORNADO_DEVICE, EXECUTION_PLAN)
                .addStatement("return d.getDeviceName() + \": \" + d.getDescription() + \" [\" + d.getPlatformName() + \"]\"")
                .build());

        type.addMethod(MethodSpec.methodBuilder("run").addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC, Modifier.SYNCHRONIZED)
                .addParameter(float[].class, "input").addParameter(float[].class, "output").addParameter(int.class, "batch")
                .addStatement("$T p = plans.get(batch)", plan)
                .beginControlFlow("if (p == null)")
                .addStatement("p = build(batch)")
                .addStatement("plans.put(batch, p)")
                .beginControlFlow("while (plans.size() > capacity)")
                .addStatement("$T eldest = plans.keySet().iterator().next()", Integer.class)
                .addStatement("close(plans.remove(eldest))")
                .endControlFlow()
                .endControlFlow()
                .addStatement("System.arraycopy(input, 0, p.input(), 0, batch * INPUT)")
                .addCode(seg.count() == 1 ? CodeBlock.of("p.execution().execute();\n")
                        : CodeBlock.builder()
                                .add("// one graph at a time, in order: TornadoVM hands a kept buffer over only from the graph executed last\n")
                                .addStatement("for (int s = 0; s < GRAPHS; s++) p.execution().withGraph(s).execute()")
                                .build())
                .addStatement("System.arraycopy(p.output(), 0, output, 0, batch * OUTPUT)")
                .build());

        type.addField(FieldSpec.builder(int.class, "GRAPHS", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("The TaskGraphs of the network, run one after the other.\n")
                .initializer("$L", seg.count()).build());
        type.addField(intTable("GRAPH_WEIGHTS", "Per TaskGraph: the weights its tasks read (indices into weights).", seg.weights()));
        type.addField(intTable("GRAPH_FRESH", "Per TaskGraph: the buffers it writes before reading (sent once, never read back).", seg.fresh()));
        type.addField(intTable("GRAPH_CONSUMED",
                "Per TaskGraph: the buffers it takes on the device from the graph before (written there or passed through it).",
                seg.consumed()));
        type.addField(intTable("GRAPH_PERSISTED",
                "Per TaskGraph: the buffers it allocated and keeps on the device for the graphs after (read there or later).",
                seg.persisted()));
        type.addField(FieldSpec.builder(boolean[].class, "GRAPH_INPUT", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("Per TaskGraph: whether its tasks read the network's input.\n")
                .initializer("{$L}", seg.input().stream().map(String::valueOf).collect(Collectors.joining(", "))).build());
        type.addField(FieldSpec.builder(int.class, "OUTPUT_GRAPH", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("The TaskGraph whose task writes the network's output.\n")
                .initializer("$L", seg.outputGraph()).build());
        type.addField(FieldSpec.builder(int.class, "BYTECODE_SIZE", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("A bound on the TornadoVM bytecode of the largest graph (TornadoVM's default buffer is 4096 bytes).\n")
                .initializer("$L", seg.bytecodeBound()).build());

        MethodSpec.Builder build = MethodSpec.methodBuilder("build").addModifiers(Modifier.PRIVATE)
                .addJavadoc("The TaskGraphs of the network for {@code batch} samples ($L: TornadoVM's graph of one has room\n",
                        seg.count())
                .addJavadoc("for $L tasks and 1024 nodes at most), and their execution plan, which runs them in order.\n",
                        Segments.TASKS_PER_GRAPH)
                .returns(plan)
                .addParameter(int.class, "batch")
                .addStatement("float[] input = new float[batch * INPUT], output = new float[batch * OUTPUT]")
                .addStatement("float[][] a = new float[BUFFERS.length][]")
                .addStatement("for (int i = 0; i < a.length; i++) a[i] = new float[batch * BUFFERS[i]]")
                .addStatement("$T[] g = new $T[GRAPHS]", TASK_GRAPH, TASK_GRAPH)
                .beginControlFlow("for (int s = 0; s < g.length; s++)")
                .addStatement("g[s] = new $T(graphName(batch, s))", TASK_GRAPH)
                .addStatement("Object[] once = new Object[GRAPH_WEIGHTS[s].length + GRAPH_FRESH[s].length]")
                .addStatement("for (int i = 0; i < GRAPH_WEIGHTS[s].length; i++) once[i] = weights[GRAPH_WEIGHTS[s][i]]")
                .addStatement("for (int i = 0; i < GRAPH_FRESH[s].length; i++) once[GRAPH_WEIGHTS[s].length + i] = a[GRAPH_FRESH[s][i]]")
                .addStatement("if (once.length > 0) g[s].transferToDevice($T.FIRST_EXECUTION, once)", DATA_TRANSFER_MODE)
                .addStatement("Object[] taken = new Object[GRAPH_CONSUMED[s].length]")
                .addStatement("for (int i = 0; i < taken.length; i++) taken[i] = a[GRAPH_CONSUMED[s][i]]")
                .addStatement("if (taken.length > 0) g[s].consumeFromDevice(graphName(batch, s - 1), taken)")
                .addStatement("if (GRAPH_INPUT[s]) g[s].transferToDevice($T.EVERY_EXECUTION, input)", DATA_TRANSFER_MODE)
                .endControlFlow()
                .addCode(taskCalls(layout, seg))
                .beginControlFlow("for (int s = 0; s < g.length; s++)")
                .addStatement("Object[] kept = new Object[GRAPH_PERSISTED[s].length]")
                .addStatement("for (int i = 0; i < kept.length; i++) kept[i] = a[GRAPH_PERSISTED[s][i]]")
                .addStatement("if (kept.length > 0) g[s].persistOnDevice(kept)")
                .endControlFlow()
                .addStatement("g[OUTPUT_GRAPH].transferToHost($T.EVERY_EXECUTION, output)", DATA_TRANSFER_MODE)
                .addStatement("$T[] snapshots = new $T[g.length]", IMMUTABLE_TASK_GRAPH, IMMUTABLE_TASK_GRAPH)
                .addStatement("for (int s = 0; s < g.length; s++) snapshots[s] = g[s].snapshot()")
                .addStatement("$T execution = new $T(snapshots)", EXECUTION_PLAN, EXECUTION_PLAN)
                .addStatement("if (device != null) execution = execution.withDevice(device)")
                .addStatement("if (profiler != null) execution = execution.withProfiler(profiler)")
                .addStatement("return new $T(input, output, execution)", plan);
        type.addMethod(build.build());

        type.addMethod(MethodSpec.methodBuilder("graphName").addModifiers(Modifier.PRIVATE)
                .returns(String.class)
                .addParameter(int.class, "batch").addParameter(int.class, "graph")
                .addStatement("return name + \"_b\" + batch + \"_g\" + graph")
                .build());

        List<Call> calls = layout.calls();
        for (int part = 0; part * TornadoEmitter.CALLS_PER_METHOD < calls.size(); part++) {
            MethodSpec.Builder tasks = MethodSpec.methodBuilder("tasks" + part).addModifiers(Modifier.PRIVATE)
                    .addJavadoc("Tasks $L to $L: the kernels in plan order, each over its whole outermost range.\n",
                            part * TornadoEmitter.CALLS_PER_METHOD,
                            Math.min(calls.size(), (part + 1) * TornadoEmitter.CALLS_PER_METHOD) - 1)
                    .addParameter(ArrayTypeName.of(TASK_GRAPH), "g").addParameter(float[].class, "input").addParameter(float[].class, "output")
                    .addParameter(FLOATS2, "a").addParameter(int.class, "batch");
            for (Call c : calls.subList(part * TornadoEmitter.CALLS_PER_METHOD,
                    Math.min(calls.size(), (part + 1) * TornadoEmitter.CALLS_PER_METHOD))) {
                List<String> weights = c.weightFields().stream()
                        .map(f -> "weights[" + layout.deviceArrays().indexOf(f) + "]").toList();
                List<String> args = ModelClass.arguments(c, TaskGraphClass::location, weights);
                args.set(args.size() - 2, "0");
                args.set(args.size() - 1, c.count("batch"));
                if (args.size() > MAX_TASK_ARGUMENTS) {
                    throw new IllegalStateException(c.method() + " takes " + args.size() + " arguments; a TornadoVM task takes at most "
                            + MAX_TASK_ARGUMENTS);
                }
                tasks.addStatement("g[$L].task($S, $T::$L, $L)", seg.graphOf(c.kernel().index()), c.method(), layout.kernels(), c.method(),
                        String.join(", ", args));
            }
            type.addMethod(tasks.build());
        }

        type.addMethod(MethodSpec.methodBuilder("close").addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC, Modifier.SYNCHRONIZED)
                .addJavadoc("Frees the device memory of every plan.\n")
                .addStatement("$T failure = null", RuntimeException.class)
                .beginControlFlow("for ($T p : plans.values())", plan)
                .beginControlFlow("try")
                .addStatement("close(p)")
                .nextControlFlow("catch ($T e)", RuntimeException.class)
                .addStatement("if (failure == null) failure = e")
                .endControlFlow()
                .endControlFlow()
                .addStatement("plans.clear()")
                .addStatement("if (failure != null) throw failure")
                .build());

        type.addMethod(MethodSpec.methodBuilder("close").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(plan, "p")
                .beginControlFlow("try")
                .addCode(seg.count() == 1 ? CodeBlock.of("p.execution().close();\n")
                        : CodeBlock.of("p.execution().withAllGraphs().close();   // every graph's memory, not the one selected last\n"))
                .nextControlFlow("catch ($T e)", Exception.class)
                .addStatement("throw new $T(\"cannot free TornadoVM's device memory: \" + e, e)", IllegalStateException.class)
                .endControlFlow()
                .build());
        return type.build();
    }

    /** The most arguments TornadoVM's {@code TaskGraph.task} takes (Task20). */
    static final int MAX_TASK_ARGUMENTS = 20;

    private static CodeBlock taskCalls(Layout layout, Segments seg) {
        CodeBlock.Builder b = CodeBlock.builder();
        for (int part = 0; part * TornadoEmitter.CALLS_PER_METHOD < layout.calls().size(); part++) {
            b.addStatement("tasks$L(g, input, output, a, batch)", part);
        }
        return b.build();
    }

    private static FieldSpec intTable(String name, String doc, List<List<Integer>> rows) {
        return FieldSpec.builder(int[][].class, name, Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("$L\n", doc)
                .initializer("{$L}", rows.stream()
                        .map(r -> "{" + r.stream().map(String::valueOf).collect(Collectors.joining(", ")) + "}")
                        .collect(Collectors.joining(", ")))
                .build();
    }

    private static String location(Location l) {
        return switch (l) {
            case Location.Input i -> "input";
            case Location.Output o -> "output";
            case Location.Buffer b -> "a[" + b.index() + "]";
        };
    }
}
