package org.cnnc.compiler.emit.tornado;

import com.palantir.javapoet.CodeBlock;
import java.util.List;
import java.util.function.Function;

/**
 * One kernel as the tornadovm target writes it: {@code final int} constants, then one nest of
 * at most three parallel loops whose outermost runs over {@code at ∈ [0, count)} and stands for
 * {@code outer = from + at} (a range of {@code batch × perSample}; TornadoVM requires a parallel
 * loop to start at a constant, and the JVM fallback splits the range across threads), then the
 * body inside the innermost loop. The parameters are the activations {@code x0, x1, …}, the
 * kernel's weights (by role: {@code w}, {@code bias}, {@code scale}, {@code shift}), the output
 * {@code y}, and {@code from}, {@code count}.
 *
 * @param outer     the variable the body reads for the outermost index ({@code from + at})
 * @param perSample its iterations per sample
 * @param constants declarations of the shapes the kernel is specialised to
 * @param inner     the inner parallel loops, outermost first: {variable, bound}
 * @param weights   the weight parameters, in order
 * @param body      the statements inside the innermost parallel loop, in a dialect
 */
record KernelSpec(String outer, long perSample, String constants, List<String[]> inner, List<String> weights,
                  Function<Dialect, CodeBlock> body) {

    /** The most parallel loops TornadoVM maps to an ND-range. */
    static final int MAX_PARALLEL_LOOPS = 3;

    KernelSpec {
        inner = List.copyOf(inner);
        weights = List.copyOf(weights);
        if (inner.size() + 1 > MAX_PARALLEL_LOOPS) throw new IllegalArgumentException("more than three parallel loops");
        if (perSample > Integer.MAX_VALUE) throw new IllegalArgumentException(perSample + " iterations per sample do not fit an int");
    }
}
