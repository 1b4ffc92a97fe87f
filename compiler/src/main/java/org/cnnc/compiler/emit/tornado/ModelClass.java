package org.cnnc.compiler.emit.tornado;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.lang.model.element.Modifier;
import org.cnnc.compiler.emit.tornado.TornadoEmitter.Call;
import org.cnnc.compiler.emit.ModelApi;
import org.cnnc.compiler.emit.tornado.TornadoEmitter.Layout;
import static org.cnnc.compiler.emit.ModelApi.*;
import org.cnnc.compiler.ir.Graph;
import org.cnnc.compiler.ir.Shape;
import org.cnnc.compiler.lower.KernelPlan.Location;
import org.cnnc.compiler.shape.StateDict;

/**
 * The model class of the tornadovm target: weights loaded and prepared as the jvm target does,
 * the backend chosen once in the constructor, and {@code predict} on that backend. The JVM
 * path calls the JVM kernels with each outermost loop split across the model's threads; the
 * TornadoVM path is an object of the TaskGraph class, loaded by name only when the runtime
 * is present, so that the model never touches a TornadoVM class without it.
 */
final class ModelClass {
    private static final TypeName FLOATS2 = ArrayTypeName.of(FLOATS);

    /** The system property that picks the backend: auto (the default), jvm or tornadovm. */
    static final String BACKEND_PROPERTY = "cnnc.backend";
    /** Set by TornadoVM's launcher and argfile: the class implementing TaskGraphs (TornadoAPIProvider reads it). */
    static final String TORNADO_RUNTIME_PROPERTY = "tornado.load.api.implementation";

    private ModelClass() {}

    static TypeSpec type(Layout layout) {
        Graph g = layout.graph();
        ClassName self = layout.model();
        ClassName device = self.nestedClass("Device");
        TypeSpec.Builder type = TypeSpec.classBuilder(self)
                .addModifiers(Modifier.PUBLIC, Modifier.FINAL)
                .addSuperinterface(MODEL)
                .addJavadoc("The network $L, compiled by cnnc from $L for TornadoVM.\n", g.name(), g.input().pos().file().name())
                .addJavadoc("<p>Input $L, output $L per sample. The backend is chosen when the model is made:\n",
                        g.input().shape(), g.outputNode().shape())
                .addJavadoc("TornadoVM ($T) where its runtime is loaded (TornadoVM's launcher or argfile sets\n", layout.taskGraph())
                .addJavadoc("{@code -D$L}) and this jar is on the class path, else the same kernels as JVM loops\n",
                        TORNADO_RUNTIME_PROPERTY)
                .addJavadoc("($T). {@code -D$L=jvm} forces the JVM, {@code -D$L=tornadovm} makes a missing\n",
                        layout.jvmKernels(), BACKEND_PROPERTY, BACKEND_PROPERTY)
                .addJavadoc("runtime an error. {@link #backend()} says which runs; the choice is logged once.\n")
                .addJavadoc("Generated source: do not edit.\n");

        type.addType(TypeSpec.interfaceBuilder(device)
                .addJavadoc("The TornadoVM backend as the model sees it ($T implements it).\n", layout.taskGraph())
                .addSuperinterface(AutoCloseable.class)
                .addMethod(MethodSpec.methodBuilder("run").addModifiers(Modifier.PUBLIC, Modifier.ABSTRACT)
                        .addJavadoc("Runs {@code batch} samples from {@code input} into {@code output}.\n")
                        .addParameter(float[].class, "input").addParameter(float[].class, "output")
                        .addParameter(int.class, "batch").build())
                .addMethod(MethodSpec.methodBuilder("description").addModifiers(Modifier.PUBLIC, Modifier.ABSTRACT)
                        .addJavadoc("The device the kernels run on.\n").returns(String.class).build())
                .addMethod(MethodSpec.methodBuilder("close").addModifiers(Modifier.PUBLIC, Modifier.ABSTRACT)
                        .addAnnotation(Override.class).build())
                .build());

        type.addField(constant(int[].class, "INPUT_SHAPE", CodeBlock.of("$L", intArray(g.input().shape()))));
        type.addField(constant(int[].class, "OUTPUT_SHAPE", CodeBlock.of("$L", intArray(g.outputNode().shape()))));
        type.addField(constant(String.class, "WEIGHTS", CodeBlock.of("$S", layout.weightsResource())));
        type.addField(constant(String.class, "TASK_GRAPH", CodeBlock.of("$S", layout.taskGraph().reflectionName())));
        type.addField(constant(String.class, "KERNELS_CLASS_FILE",
                CodeBlock.of("$S", layout.kernels().reflectionName().replace('.', '/') + ".class")));
        type.addField(constant(java.util.concurrent.atomic.AtomicBoolean.class, "LOGGED",
                CodeBlock.of("new $T()", java.util.concurrent.atomic.AtomicBoolean.class)));
        type.addField(FieldSpec.builder(PARALLEL, "parallel", Modifier.PRIVATE, Modifier.FINAL).build());
        type.addField(FieldSpec.builder(ARENA_POOL, "arenas", Modifier.PRIVATE, Modifier.FINAL)
                .initializer("new $T(new int[] {$L})", ARENA_POOL, layout.plan().bufferSizes().stream()
                        .map(String::valueOf).collect(Collectors.joining(", ")))
                .build());
        type.addField(FieldSpec.builder(device, "device", Modifier.PRIVATE, Modifier.FINAL)
                .addJavadoc("The TornadoVM backend, or null where the JVM kernels run.\n").build());
        for (StateDict.Tensor t : layout.tensors()) {
            type.addField(FieldSpec.builder(FLOATS, layout.fields().get(t.name()), Modifier.PRIVATE)
                    .addJavadoc("$L $L\n", t.name(), t.shape()).build());
        }
        layout.prepared().fields().forEach((name, what) ->
                type.addField(FieldSpec.builder(FLOATS, name, Modifier.PRIVATE).addJavadoc("$L\n", what).build()));

        int prepareChunks = prepare(type, layout);
        constructors(type, layout, prepareChunks);
        backendChoice(type, layout);
        accessors(type, layout);
        predict(type, layout);
        return type.build();
    }

    private static int prepare(TypeSpec.Builder type, Layout layout) {
        List<CodeBlock> steps = layout.prepared().steps();
        int chunks = 0;
        for (; chunks * TornadoEmitter.LOADS_PER_METHOD < steps.size(); chunks++) {
            MethodSpec.Builder m = MethodSpec.methodBuilder("prepare" + chunks).addModifiers(Modifier.PRIVATE)
                    .addJavadoc("Computes the weights the kernels take from the tensors as loaded.\n")
                    .addStatement("float[][] f");
            steps.subList(chunks * TornadoEmitter.LOADS_PER_METHOD,
                    Math.min(steps.size(), (chunks + 1) * TornadoEmitter.LOADS_PER_METHOD)).forEach(m::addCode);
            type.addMethod(m.build());
        }
        if (layout.prepared().needsScaleShift()) {
            type.addMethod(MethodSpec.methodBuilder("scaleShift").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                    .addJavadoc("Inference BatchNorm as y = x·scale + shift: scale = γ/√(σ² + ε), shift = β − μ·scale.\n")
                    .returns(FLOATS2)
                    .addParameter(float[].class, "gamma").addParameter(float[].class, "beta")
                    .addParameter(float[].class, "mean").addParameter(float[].class, "variance").addParameter(double.class, "eps")
                    .addStatement("float[] scale = new float[gamma.length], shift = new float[gamma.length]")
                    .beginControlFlow("for (int c = 0; c < gamma.length; c++)")
                    .addStatement("scale[c] = (float) (gamma[c] / Math.sqrt(variance[c] + eps))")
                    .addStatement("shift[c] = beta[c] - mean[c] * scale[c]")
                    .endControlFlow()
                    .addStatement("return new float[][] {scale, shift}")
                    .build());
        }
        return chunks;
    }

    private static void constructors(TypeSpec.Builder type, Layout layout, int prepareChunks) {
        type.addMethod(MethodSpec.constructorBuilder()
                .addModifiers(Modifier.PUBLIC)
                .addJavadoc("Loads the weights from the class path and chooses the backend; the JVM kernels use\n")
                .addJavadoc("{@code -Dcnnc.threads} (default: all processors) threads.\n")
                .addStatement("this($T.defaultThreads())", PARALLEL)
                .build());
        MethodSpec.Builder main = MethodSpec.constructorBuilder()
                .addModifiers(Modifier.PUBLIC)
                .addParameter(int.class, "threads")
                .addJavadoc("Loads the weights from the class path and chooses the backend; the JVM kernels use\n")
                .addJavadoc("{@code threads} threads.\n")
                .beginControlFlow("try ($T weights = $T.read($T.requireNonNull(getClass().getResourceAsStream(WEIGHTS), WEIGHTS)))",
                        SAFETENSORS, SAFETENSORS, java.util.Objects.class);
        List<StateDict.Tensor> tensors = layout.tensors();
        for (int chunk = 0; chunk * TornadoEmitter.LOADS_PER_METHOD < tensors.size(); chunk++) {
            main.addStatement("load$L(weights)", chunk);
            MethodSpec.Builder load = MethodSpec.methodBuilder("load" + chunk)
                    .addModifiers(Modifier.PRIVATE)
                    .addParameter(SAFETENSORS, "weights")
                    .addException(java.io.IOException.class);
            for (StateDict.Tensor t : tensors.subList(chunk * TornadoEmitter.LOADS_PER_METHOD,
                    Math.min(tensors.size(), (chunk + 1) * TornadoEmitter.LOADS_PER_METHOD))) {
                load.addStatement("$L = weights.floats($S)", layout.fields().get(t.name()), t.name());
            }
            type.addMethod(load.build());
        }
        main.nextControlFlow("catch ($T e)", java.io.IOException.class)
                .addStatement("throw new $T(\"cannot load the weights \" + WEIGHTS + \": \" + e.getMessage(), e)",
                        java.io.UncheckedIOException.class)
                .endControlFlow();
        for (int c = 0; c < prepareChunks; c++) main.addStatement("prepare$L()", c);
        main.addStatement("parallel = new $T(threads)", PARALLEL)
                .addStatement("device = chooseBackend()");
        type.addMethod(main.build());
    }

    private static void backendChoice(TypeSpec.Builder type, Layout layout) {
        ClassName device = layout.model().nestedClass("Device");
        String name = layout.className();
        type.addMethod(MethodSpec.methodBuilder("chooseBackend").addModifiers(Modifier.PRIVATE)
                .addJavadoc("The TornadoVM backend where it can run and is not switched off, else null (the JVM kernels).\n")
                .returns(device)
                .addStatement("String choice = System.getProperty($S, \"auto\").strip().toLowerCase($T.ROOT)",
                        BACKEND_PROPERTY, java.util.Locale.class)
                .beginControlFlow("if (!choice.equals(\"auto\") && !choice.equals(\"jvm\") && !choice.equals(\"tornadovm\"))")
                .addStatement("throw new $T(\"-D$L must be auto, jvm or tornadovm, not \" + choice)",
                        IllegalArgumentException.class, BACKEND_PROPERTY)
                .endControlFlow()
                .addStatement("String absent = choice.equals(\"jvm\") ? \"-D$L=jvm\" : tornadoUnavailable()", BACKEND_PROPERTY)
                .beginControlFlow("if (absent != null)")
                .beginControlFlow("if (choice.equals(\"tornadovm\"))")
                .addStatement("throw new $T(\"$L: -D$L=tornadovm, but \" + absent)", IllegalStateException.class, name, BACKEND_PROPERTY)
                .endControlFlow()
                .addStatement("log(\"$L runs its kernels on the JVM (\" + parallel.threads() + \" threads): \" + absent)", name)
                .addStatement("return null")
                .endControlFlow()
                .addStatement("$T d", device)
                .beginControlFlow("try")
                .addStatement("d = ($T) Class.forName(TASK_GRAPH, true, $T.class.getClassLoader())"
                        + ".getDeclaredConstructor(float[][].class).newInstance((Object) deviceArrays())", device, layout.model())
                .nextControlFlow("catch ($T e)", java.lang.reflect.InvocationTargetException.class)
                .addStatement("throw new $T(\"$L: TornadoVM could not start: \" + e.getCause() + \" (-D$L=jvm runs the JVM kernels)\", e.getCause())",
                        IllegalStateException.class, name, BACKEND_PROPERTY)
                .nextControlFlow("catch ($T | $T e)", ReflectiveOperationException.class, LinkageError.class)
                .addStatement("throw new $T(\"$L: TornadoVM could not start: \" + e + \" (-D$L=jvm runs the JVM kernels)\", e)",
                        IllegalStateException.class, name, BACKEND_PROPERTY)
                .endControlFlow()
                .addStatement("log(\"$L runs its kernels on TornadoVM: \" + d.description())", name)
                .addStatement("return d")
                .build());

        type.addMethod(MethodSpec.methodBuilder("tornadoUnavailable").addModifiers(Modifier.STATIC)
                .addJavadoc("Why TornadoVM cannot run this model here, or null if it can. TornadoVM's launcher and argfile set\n")
                .addJavadoc("{@code -D$L}, which its TaskGraph API needs; TornadoVM reads the kernels' {@code @Parallel}\n",
                        TORNADO_RUNTIME_PROPERTY)
                .addJavadoc("loops from their class file through the system class loader. Touches no TornadoVM class.\n")
                .returns(String.class)
                .addStatement("String runtime = System.getProperty($S)", TORNADO_RUNTIME_PROPERTY)
                .beginControlFlow("if (runtime == null)")
                .addStatement("return \"the TornadoVM runtime is not loaded (no -D$L; run with TornadoVM's tornado-argfile or launcher)\"",
                        TORNADO_RUNTIME_PROPERTY)
                .endControlFlow()
                .beginControlFlow("if ($T.class.getClassLoader().getResource(TASK_GRAPH.replace('.', '/') + \".class\") == null)",
                        layout.model())
                .addStatement("return \"this model was compiled without TornadoVM's API (\" + TASK_GRAPH + \" is missing)\"")
                .endControlFlow()
                .addStatement("ClassLoader system = ClassLoader.getSystemClassLoader()")
                .beginControlFlow("try")
                .addStatement("Class.forName(runtime, false, system)")
                .nextControlFlow("catch ($T | $T e)", ClassNotFoundException.class, LinkageError.class)
                .addStatement("return \"-D$L=\" + runtime + \" names a class that is not there\"", TORNADO_RUNTIME_PROPERTY)
                .endControlFlow()
                .beginControlFlow("if (system.getResource(KERNELS_CLASS_FILE) == null)")
                .addStatement("return \"the model's jar is not on the class path, where TornadoVM reads the kernels' @Parallel loops\"")
                .endControlFlow()
                .addStatement("return null")
                .build());

        type.addMethod(MethodSpec.methodBuilder("log").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addJavadoc("Logs the backend once per class (at INFO, through {@link System.Logger}).\n")
                .addParameter(String.class, "message")
                .beginControlFlow("if (LOGGED.compareAndSet(false, true))")
                .addStatement("System.getLogger($T.class.getName()).log(System.Logger.Level.INFO, message)", layout.model())
                .endControlFlow()
                .build());

        CodeBlock.Builder arrays = CodeBlock.builder().add("return new float[][] {");
        List<String> d = layout.deviceArrays();
        for (int i = 0; i < d.size(); i++) arrays.add("$L\n$>$>$L$<$<", i == 0 ? "" : ",", d.get(i));
        arrays.add("}");
        type.addMethod(MethodSpec.methodBuilder("deviceArrays").addModifiers(Modifier.PRIVATE)
                .addJavadoc("The weights the kernels take, each once, in the order $T expects them.\n", layout.taskGraph())
                .returns(FLOATS2)
                .addStatement(arrays.build())
                .build());
    }

    private static void accessors(TypeSpec.Builder type, Layout layout) {
        MethodSpec backend = override("backend", String.class)
                .addJavadoc("{@code tornadovm} or {@code jvm}.\n")
                .addStatement("return device != null ? \"tornadovm\" : \"jvm\"").build();
        ModelApi.describe(type, layout.graph(), layout.plan().shaped().totalParams(), backend,
                new java.util.TreeMap<>(layout.metadata()));
        type.addMethod(override("close", void.class)
                .beginControlFlow("try")
                .addStatement("if (device != null) device.close()")
                .nextControlFlow("finally")
                .addStatement("parallel.close()")
                .endControlFlow()
                .build());
    }

    private static void predict(TypeSpec.Builder type, Layout layout) {
        Graph g = layout.graph();
        long in = g.input().shape().elements(), out = g.outputNode().shape().elements();
        MethodSpec.Builder predict = override("predict", void.class)
                .addParameter(float[].class, "input").addParameter(float[].class, "output").addParameter(int.class, "batch")
                .addStatement("$T.checkBatch(input, output, batch, $L, $L)", CALLS, in, out)
                .beginControlFlow("if (device != null)")
                .beginControlFlow("try")
                .addStatement("device.run(input, output, batch)")
                .nextControlFlow("catch ($T e)", VirtualMachineError.class)
                .addStatement("throw e")
                .nextControlFlow("catch ($T | $T e)", RuntimeException.class, Error.class)
                .addStatement("throw new $T(\"$L: TornadoVM failed on a batch of \" + batch + \": \" + e"
                        + " + \" (-D$L=jvm runs the JVM kernels)\", e)", IllegalStateException.class, layout.className(), BACKEND_PROPERTY)
                .endControlFlow()
                .addStatement("return")
                .endControlFlow()
                .addStatement("$T arena = arenas.take(batch)", ARENA)
                .beginControlFlow("try");
        List<Call> calls = layout.calls();
        int buffers = layout.plan().bufferSizes().size();
        for (int part = 0; part * TornadoEmitter.CALLS_PER_METHOD < calls.size(); part++) {
            predict.addStatement("run$L(input, output, batch, arena)", part);
            MethodSpec.Builder run = MethodSpec.methodBuilder("run" + part)
                    .addModifiers(Modifier.PRIVATE)
                    .addJavadoc("Kernels $L to $L on the JVM, each outermost loop split across the threads.\n",
                            part * TornadoEmitter.CALLS_PER_METHOD,
                            Math.min(calls.size(), (part + 1) * TornadoEmitter.CALLS_PER_METHOD) - 1)
                    .addParameter(float[].class, "input").addParameter(float[].class, "output")
                    .addParameter(int.class, "batch").addParameter(ARENA, "arena");
            List<Call> mine = calls.subList(part * TornadoEmitter.CALLS_PER_METHOD,
                    Math.min(calls.size(), (part + 1) * TornadoEmitter.CALLS_PER_METHOD));
            for (int b = 0; b < buffers; b++) {
                int index = b;
                boolean used = mine.stream().anyMatch(c -> uses(c, index));
                if (used) run.addStatement("final float[] a$L = arena.buffer($L)", b, b);
            }
            for (Call c : mine) {
                List<String> args = arguments(c, ModelClass::location, c.weightFields());
                args.set(args.size() - 1, "to - from");
                run.addStatement("parallel.forRange($L, (from, to) -> $T.$L($L))", c.count("batch"), layout.jvmKernels(),
                        c.method(), String.join(", ", args));
            }
            type.addMethod(run.build());
        }
        predict.nextControlFlow("finally").addStatement("arenas.give(arena)").endControlFlow();
        type.addMethod(predict.build());
    }

    private static boolean uses(Call c, int buffer) {
        List<Location> all = new ArrayList<>(c.kernel().inputs());
        all.add(c.kernel().output());
        return all.stream().anyMatch(l -> l instanceof Location.Buffer b && b.index() == buffer);
    }

    /** A kernel's arguments: inputs, weights, output, then {@code from} and {@code to} (the caller replaces these two). */
    static List<String> arguments(Call c, java.util.function.Function<Location, String> where, List<String> weights) {
        List<String> args = new ArrayList<>();
        for (Location l : c.kernel().inputs()) args.add(where.apply(l));
        args.addAll(weights);
        args.add(where.apply(c.kernel().output()));
        args.add("from");
        args.add("to");
        return args;
    }

    private static String location(Location l) {
        return switch (l) {
            case Location.Input i -> "input";
            case Location.Output o -> "output";
            case Location.Buffer b -> "a" + b.index();
        };
    }

    private static FieldSpec constant(Class<?> type, String name, CodeBlock initializer) {
        return FieldSpec.builder(type, name, Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL).initializer(initializer).build();
    }

    static String intArray(Shape s) {
        return "{" + s.dims().stream().map(String::valueOf).collect(Collectors.joining(", ")) + "}";
    }
}
