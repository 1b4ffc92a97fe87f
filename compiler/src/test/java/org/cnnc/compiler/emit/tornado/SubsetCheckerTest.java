package org.cnnc.compiler.emit.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The checker accepts kernels in TornadoVM's subset and names each construct outside it. */
class SubsetCheckerTest {

    /** A kernel class around {@code body}, the statements of one parallel loop over [from, to). */
    private static String kernel(String body) {
        return members("""
                    public static void k(float[] x, float[] y, int from, int count) {
                        final int N = 4;
                        for (@Parallel int i = 0; i < count; i++) {
                            %s
                        }
                    }
                """.formatted(body));
    }

    private static String members(String members) {
        return """
                package p;

                import uk.ac.manchester.tornado.api.annotations.Parallel;
                import uk.ac.manchester.tornado.api.math.TornadoMath;

                public final class K {
                    private K() {
                    }

                %s
                }
                """.formatted(members);
    }

    private static String messages(String source) {
        return String.join("\n", SubsetChecker.check(source).stream().map(SubsetChecker.Violation::toString).toList());
    }

    @Test
    void acceptsAKernelWithNestedParallelLoopsTornadoMathAndASmallHelper() {
        String source = members("""
                    public static void k(float[] x, float[] w, float[] y, int from, int count) {
                        final int OH = 4, OW = 4;
                        for (@Parallel int at = 0; at < count; at++) {
                            for (@Parallel int oh = 0; oh < OH; oh++) {
                                for (@Parallel int ow = 0; ow < OW; ow += 1) {
                                    int nc = from + at;
                                    float acc = Float.NEGATIVE_INFINITY;
                                    for (int k = 0; k < 3; k++) {
                                        if (k == 1) continue;
                                        acc = TornadoMath.max(acc, x[(nc * OH + oh) * OW + ow] * w[k]);
                                    }
                                    y[(nc * OH + oh) * OW + ow] = relu(TornadoMath.exp(acc)) + Math.abs(acc) + (float) x.length;
                                }
                            }
                        }
                    }

                    static float relu(float v) {
                        return v > 0f ? v : 0f;
                    }
                """);
        assertEquals(List.of(), SubsetChecker.check(source));
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', textBlock = """
            float t = 0f; float[] s = new float[4]; y[i] = s[0];           | allocates an array
            Object o = new Object(); y[i] = 0f;                              | allocates an object
            if (x[i] < 0f) throw new IllegalStateException();               | throws an exception
            try { y[i] = x[i]; } catch (RuntimeException e) { y[i] = 0f; } | try/catch
            synchronized (x) { y[i] = x[i]; }                                | synchronized
            y[i] = (float) Math.exp(x[i]);                                   | calls Math.exp, which works in double
            double d = x[i]; y[i] = (float) d;                               | local d is double
            y[i] = x[i] * 0.5;                                               | a double literal
            y[i] = Float.valueOf(x[i]).floatValue();                         | calls Float.valueOf(x[i]).floatValue
            y[i] = "s".length();                                             | a string
            java.util.function.IntUnaryOperator f = v -> v; y[i] = 0f;       | a lambda
            y[i] = x[i]; if (x[i] > 0f) continue;                            | continue in a @Parallel loop
            if (x[i] > 0f) break; y[i] = x[i];                               | break out of a @Parallel loop
            if (x[i] > 0f) return; y[i] = x[i];                              | return inside a @Parallel loop
            switch (i) { default -> y[i] = 0f; }                             | switch
            System.out.println(i);                                           | calls System.out.println
            y[i] = missing(x[i]);                                            | calls missing, which this class does not declare
            for (float v : x) y[i] += v;                                     | a for-each loop
            Integer boxed = i; y[i] = boxed;                                 | local boxed is Integer
            y[i] = (float) (Object) x[i];                                    | a cast to Object
            Runnable r = K::new; y[i] = 0f;                                  | a method reference
            label: y[i] = x[i];                                              | a labelled statement
            assert i >= 0; y[i] = x[i];                                      | assert
            for (@Parallel int j = 0; j < N; j++) { for (@Parallel int k = 0; k < N; k++) { for (@Parallel int l = 0; l < N; l++) { y[i] = x[l]; } } } | more than 3 nested @Parallel loops
            int a = 1; for (@Parallel int j = 0; j < N; j++) { y[j] = x[a]; } | not perfectly nested
            for (@Parallel int j = 0; j <= N; j++) { y[j] = x[i]; }          | has the form for (@Parallel int i = CONSTANT; i < bound
            for (@Parallel int j = i; j < N; j++) { y[j] = x[i]; }           | TornadoVM's sketcher needs a constant start
            """)
    void rejectsAConstructOutsideTheSubset(String body, String expected) {
        String found = messages(kernel(body));
        assertTrue(found.contains(expected), "expected a violation containing '" + expected + "', got:\n" + found);
    }

    @Test
    void rejectsRecursionThroughHelpers() {
        String source = members("""
                    public static void k(float[] x, float[] y, int from, int count) {
                        for (@Parallel int i = 0; i < count; i++) {
                            y[i] = a(x[i]);
                        }
                    }

                    static float a(float v) {
                        return v > 1f ? b(v / 2f) : v;
                    }

                    static float b(float v) {
                        return a(v);
                    }
                """);
        assertTrue(messages(source).contains("recursion (a → b → a)"), messages(source));
    }

    @Test
    void rejectsAHelperTooLargeToInline() {
        StringBuilder big = new StringBuilder("    static float big(float v) {\n");
        for (int i = 0; i < 20; i++) big.append("        v = v * 2f + 1f;\n");
        big.append("        return v;\n    }\n");
        String source = members("""
                    public static void k(float[] x, float[] y, int from, int count) {
                        for (@Parallel int i = 0; i < count; i++) {
                            y[i] = big(x[i]);
                        }
                    }

                """ + big);
        assertTrue(messages(source).contains("a helper TornadoVM inlines must stay small: 21 statements"), messages(source));
    }

    @Test
    void rejectsInstanceMethodsFieldsObjectParametersAndNestedClasses() {
        String source = members("""
                    static float scale = 2f;

                    public void k(Object x, float[] y, int from, int count) {
                        for (@Parallel int i = 0; i < count; i++) {
                            y[i] = scale;
                        }
                    }

                    static final class Inner {
                    }
                """);
        String found = messages(source);
        for (String expected : List.of("field scale", "not static", "parameter x is Object", "holds static methods only, not a class")) {
            assertTrue(found.contains(expected), "expected '" + expected + "' in:\n" + found);
        }
    }

    @Test
    void rejectsAParallelLoopThatDoesNotRunOverCountOrIsNotTheOnlyNest() {
        String source = members("""
                    public static void k(float[] x, float[] y, int from, int count) {
                        for (@Parallel int i = 0; i < 10; i++) {
                            y[i] = x[i];
                        }
                        for (@Parallel int i = 0; i < count; i++) {
                            y[i] = x[i];
                        }
                    }

                    public static void inner(float[] x, float[] y, int from, int count) {
                        for (int r = 0; r < 2; r++) {
                            for (@Parallel int i = 0; i < count; i++) {
                                y[i] = x[i];
                            }
                        }
                    }
                """);
        String found = messages(source);
        for (String expected : List.of("must run from 0 to the last parameter, count", "a second @Parallel loop nest",
                "inner: a @Parallel loop that is not perfectly nested at the top of the method")) {
            assertTrue(found.contains(expected), "expected '" + expected + "' in:\n" + found);
        }
    }

    @Test
    void reportsSourceThatDoesNotParse() {
        List<SubsetChecker.Violation> v = SubsetChecker.check("class K { void k( }");
        assertEquals(1, Math.min(1, v.size()));
        assertTrue(v.get(0).message().startsWith("does not parse"), v.toString());
    }

    @Test
    void namesTheLineOfEachViolation() {
        List<SubsetChecker.Violation> v = SubsetChecker.check(kernel("y[i] = x[i] * 0.5;"));
        assertEquals(1, v.size(), v.toString());
        assertEquals(13, v.get(0).line(), "the line of the literal in the kernel class");
        assertEquals("k", v.get(0).method());
    }
}
