package org.cnnc.compiler.emit.tornado;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;

/**
 * The two spellings of the same kernels. {@code TORNADO} marks the parallel loops with
 * TornadoVM's {@code @Parallel} and does float math with {@code TornadoMath}, which TornadoVM
 * compiles to the device's float functions; it needs TornadoVM's API jar to compile.
 * {@code JVM} is the same source with the annotations left out and {@code java.lang.Math} in
 * place of {@code TornadoMath} (whose Java bodies are exactly {@code (float) Math.f(x)}), so it
 * compiles and runs with nothing but the JDK. Nothing else differs.
 */
enum Dialect {
    TORNADO, JVM;

    static final ClassName PARALLEL = ClassName.get("uk.ac.manchester.tornado.api.annotations", "Parallel");
    static final ClassName TORNADO_MATH = ClassName.get("uk.ac.manchester.tornado.api.math", "TornadoMath");

    /** What goes before {@code int} in the header of a parallel loop. */
    CodeBlock parallel() {
        return this == TORNADO ? CodeBlock.of("@$T ", PARALLEL) : CodeBlock.of("");
    }

    /** e^x in float. */
    CodeBlock exp(Object x) {
        return transcendental("exp", x);
    }

    /** tanh x in float. */
    CodeBlock tanh(Object x) {
        return transcendental("tanh", x);
    }

    /** a^b in float. */
    CodeBlock pow(Object a, Object b) {
        return this == TORNADO ? CodeBlock.of("$T.pow($L, $L)", TORNADO_MATH, a, b) : CodeBlock.of("(float) Math.pow($L, $L)", a, b);
    }

    /** The smaller of two ints or two floats. */
    CodeBlock min(Object a, Object b) {
        return this == TORNADO ? CodeBlock.of("$T.min($L, $L)", TORNADO_MATH, a, b) : CodeBlock.of("Math.min($L, $L)", a, b);
    }

    /** The larger of two ints or two floats. */
    CodeBlock max(Object a, Object b) {
        return this == TORNADO ? CodeBlock.of("$T.max($L, $L)", TORNADO_MATH, a, b) : CodeBlock.of("Math.max($L, $L)", a, b);
    }

    private CodeBlock transcendental(String f, Object x) {
        return this == TORNADO ? CodeBlock.of("$T.$L($L)", TORNADO_MATH, f, x) : CodeBlock.of("(float) Math.$L($L)", f, x);
    }
}
