package org.cnnc.compiler.elaborate;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.cnnc.compiler.Pipeline;
import org.cnnc.compiler.diag.CompileError;
import org.cnnc.compiler.diag.SourceFile;
import org.cnnc.compiler.parse.SourceParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** Every class of user mistake: a CompileError at the right line and column, with a helpful message and no stack trace. */
class CompileErrorsTest {

    @TempDir
    Path dir;

    static CompileError fails(String text, Map<String, String> overrides, String network) {
        return fails(() -> Pipeline.shaped(new SourceFile("test.cnn", text), network, overrides));
    }

    static CompileError fails(String text) {
        return fails(text, Map.of(), null);
    }

    static CompileError fails(Executable run) {
        CompileError e = assertThrows(CompileError.class, run);
        String rendered = e.render();
        assertAll("no stack trace",
                () -> assertEquals(0, e.getStackTrace().length),
                () -> assertFalse(rendered.contains("Exception"), rendered),
                () -> assertFalse(rendered.contains("\tat "), rendered));
        return e;
    }

    /** A network whose chain is {@code chain}, on line 3 of the file. */
    static String network(String chain) {
        return "network A {\n  input 3x8x8\n  " + chain + "\n}\n";
    }

    static void assertError(CompileError e, int line, int col, String fragment) {
        assertAll(
                () -> assertEquals(line + ":" + col, e.pos().line() + ":" + e.pos().col(), "line:column of " + e.getMessage()),
                () -> assertTrue(e.getMessage().contains(fragment), () -> "'" + e.getMessage() + "' lacks '" + fragment + "'"),
                () -> assertTrue(e.render().startsWith(line == 0 ? e.pos().file().name() + ": error: "
                        : e.pos().file().name() + ":" + line + ":" + col + ": error: "), e.render()));
    }

    // ---- syntax ----

    @Test
    void syntaxErrorThroughThePipeline() {
        CompileError e = fails(network("conv(8) relu"));
        assertError(e, 3, 11, "unexpected 'relu'; expected one of '->', '}'");
        assertEquals("test.cnn:3:11: error: unexpected 'relu'; expected one of '->', '}'\n"
                + "    conv(8) relu\n"
                + "            ^", e.render());
    }

    // ---- names that do not exist ----

    @Test
    void unknownLayerSuggestsTheClosestName() {
        CompileError e = fails(network("convv(8) -> relu"));
        assertError(e, 3, 3, "unknown layer or block 'convv'; did you mean 'conv'?");
    }

    @Test
    void unknownBlockSuggestsTheClosestName() {
        CompileError e = fails("block Bottleneck = conv\n" + network("relu -> Botleneck"));
        assertError(e, 4, 11, "unknown layer or block 'Botleneck'; did you mean 'Bottleneck'?");
    }

    @Test
    void unknownArgumentSuggestsTheClosestName() {
        CompileError e = fails(network("conv(8, kernal=3)"));
        assertError(e, 3, 11, "conv has no argument 'kernal'; did you mean 'kernel'?");
    }

    @Test
    void undefinedParameter() {
        assertError(fails(network("conv(W)")), 3, 8, "undefined parameter 'W'");
        CompileError e = fails("network A(width = 8) {\n  input 3x8x8\n  conv(widt)\n}\n");
        assertError(e, 3, 8, "undefined parameter 'widt'; did you mean 'width'?");
    }

    @Test
    void undeclaredOverride() {
        CompileError e = fails("network A(N = 1) {\n  input 3x8x8\n  conv\n}\n", Map.of("X", "2"), null);
        assertError(e, 1, 9, "network A has no parameter 'X' (from -P)");
    }

    @Test
    void missingParameterValue() {
        CompileError e = fails("network A(M = 1, N) {\n  input 3x8x8\n  conv*N\n}\n");
        assertError(e, 1, 18, "parameter 'N' of network A has no value; give it one with -P N=VALUE");
    }

    @Test
    void missingBlockArgument() {
        CompileError e = fails("block B(c, k = 3) = conv(c, k=k)\n" + network("relu -> B(k=1)"));
        assertError(e, 4, 11, "block B needs a value for its parameter 'c'");
    }

    @Test
    void twoNetworksNeedANetworkName() {
        String text = network("conv") + "network B {\n  input 3x8x8\n  relu\n}\n";
        CompileError e = fails(text);
        assertError(e, 0, 0, "the file declares 2 networks (A, B); choose one with -n NAME");
        assertEquals("relu", Pipeline.shaped(new SourceFile("test.cnn", text), "B", Map.of()).graph().outputNode().op().kind());
        assertError(fails(text, Map.of(), "C"), 0, 0, "the file declares no network 'C'");
    }

    @Test
    void blockCannotTakeALayersName() {
        assertError(fails("block Conv = relu\n" + network("relu")), 1, 7, "block 'Conv' has the name of the layer 'conv'");
    }

    // ---- shapes ----

    @Test
    void shapeThatIsNotAPositiveInteger() {
        CompileError e = fails("network A {\n  input 3x4x4\n  relu -> conv(8, k=5)\n}\n");
        assertError(e, 3, 11, "conv k=5 does not fit a 4×4 input with p=0 (layer 1)");
    }

    @Test
    void addOfUnequalShapes() {
        CompileError e = fails(network("add { conv(8) | identity }"));
        assertError(e, 3, 3, "add needs equal shapes, but branch 1 gives 8×6×6 and branch 2 gives 3×8×8");
    }

    @Test
    void concatOfUnequalHeightAndWidth() {
        CompileError e = fails(network("relu -> concat { conv(8) | conv(8, p=1) }"));
        assertError(e, 3, 11, "concat needs equal H×W in every branch, but branch 1 gives 8×6×6 and branch 2 gives 8×8×8");
    }

    @Test
    void mapLayerOnAVector() {
        CompileError e = fails("network A {\n  input 10\n  conv(4)\n}\n");
        assertError(e, 3, 3, "conv needs a C×H×W input, but gets a vector of 10 features");
    }

    @Test
    void tensorOverTheSizeLimit() {
        CompileError e = fails("network A {\n  input 3x224x224\n  conv(100000, k=1)\n}\n");
        assertError(e, 3, 3, "conv makes a tensor of 5017600000 elements, over the limit");
    }

    @Test
    void nonPositiveInputDimension() {
        CompileError e = fails("network A {\n  input 3x0x8\n  relu\n}\n");
        assertError(e, 2, 11, "an input dimension must be a positive integer, but is 0");
    }

    // ---- values ----

    @Test
    void nonIntegerChannelsShowTheValue() {
        CompileError e = fails("network A(half = 3 / 2) {\n  input 3x8x8\n  conv(half)\n}\n");
        assertError(e, 3, 8, "conv c must be an integer, but evaluates to 1.5");
        assertError(fails(network("conv(8 / 3)")), 3, 10, "conv c must be an integer, but evaluates to 2.6666666666666665");
    }

    @Test
    void wordWhereANumberIsNeeded() {
        assertError(fails(network("conv(same)")), 3, 8, "conv c must be an integer, but is the word 'same'");
    }

    @Test
    void samePaddingWithAnEvenKernel() {
        CompileError e = fails(network("conv(8, k=4, p=same)"));
        assertError(e, 3, 18, "conv p=same is only symmetric for stride 1 and an odd kernel (here k=4, s=1)");
        assertError(fails(network("conv(8, k=3, s=2, p=same)")), 3, 23, "(here k=3, s=2); give an explicit padding such as p=1");
    }

    @Test
    void divisionByZero() {
        assertError(fails(network("conv(8 // 0)")), 3, 10, "division by zero");
    }

    // ---- repeats and blocks ----

    @Test
    void directRecursion() {
        CompileError e = fails("block B = conv -> B\n" + network("B"));
        assertError(e, 1, 19, "block 'B' is recursive: B → B");
    }

    @Test
    void mutualRecursion() {
        CompileError e = fails("block B = relu -> C\nblock C = B\n" + network("B"));
        assertError(e, 2, 11, "block 'B' is recursive: B → C → B");
    }

    @Test
    void negativeRepeatCount() {
        assertError(fails(network("[conv]*(-1)")), 3, 11, "a repeat count must not be negative, but is -1");
        CompileError e = fails("network A(N = 1) {\n  input 3x8x8\n  conv*N\n}\n", Map.of("N", "-2"), null);
        assertError(e, 3, 8, "a repeat count must not be negative, but is -2");
    }

    @Test
    void nonIntegerRepeatCount() {
        CompileError e = fails("network A(N = 1) {\n  input 3x8x8\n  conv*N\n}\n", Map.of("N", "2.5"), null);
        assertError(e, 3, 8, "a repeat count must be an integer, but is 2.5");
    }

    @Test
    void nestedRepeatsOverTheLayerLimit() {
        CompileError e = fails(network("[[conv]*100000]*100000"));
        assertError(e, 3, 5, "the network expands past the limit of 100000 layers");
    }

    @Test
    void hugeRepeatCount() {
        assertError(fails(network("conv*1000000")), 3, 8, "a repeat count of 1000000 is over the limit of 100000 layers");
        assertError(fails(network("conv*(10^300)")), 3, 11, "is over the limit of 100000 layers");
    }

    @Test
    void repeatsOfIdentityStopAtTheExpansionLimit() {
        CompileError e = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> fails(network("[[[identity]*100000]*100000]*100000")));
        assertError(e, 3, 6, "the network expands past the limit of 1000000 elements");
    }

    @Test
    void repeatsOfDroppedOptionalsStopAtTheExpansionLimit() {
        CompileError e = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> fails(network("[[relu?(false)]*100000]*100000")));
        assertTrue(e.getMessage().contains("expands past the limit"), e.getMessage());
    }

    @Test
    void inputInsideAChain() {
        assertError(fails(network("conv -> [INPUT]")), 3, 12, "INPUT stands for the network's input and may only start");
        assertError(fails(network("conv -> INPUT?")), 3, 11, "INPUT stands for the network's input");
        assertError(fails(network("conv -> x: INPUT*2")), 3, 14, "INPUT stands for the network's input");
    }

    // ---- names ----

    @Test
    void duplicateNamesInAScope() {
        // Reported at the second label, pointing back at the first.
        CompileError e = fails(network("x: conv -> x: relu"));
        assertError(e, 3, 14, "the name 'x' is used twice in this scope (first used at line 3, column 3)");
        assertError(fails(network("[a: conv]*2")), 3, 4, "the name 'a' is used twice");
    }

    @Test
    void sameLabelInDifferentScopesIsFine() {
        var g = Pipeline.shaped(new SourceFile("test.cnn", network("a: [x: conv] -> b: [x: conv]")), null, Map.of()).graph();
        assertEquals(List.of("a.x", "b.x"), g.nodes().stream().skip(1).map(n -> n.name()).toList());
    }

    // ---- files ----

    @Test
    void emptyFile() throws IOException {
        Path file = Files.write(dir.resolve("empty.cnn"), new byte[0]);
        assertError(fails(() -> Pipeline.source(file.toString())), 0, 0, "the file is empty: it declares no network");
        assertError(fails(() -> SourceParser.read(Files.writeString(dir.resolve("blank.cnn"), " \n\t\n"))), 0, 0,
                "the file is empty");
    }

    @Test
    void fileOfCommentsDeclaresNoNetwork() {
        assertError(fails("// nothing here\n"), 0, 0, "the file declares no network");
    }

    @Test
    void binaryFile() throws IOException {
        Path file = Files.write(dir.resolve("weights.cnn"), new byte[] {'n', 'e', 't', 0, 1, 2, (byte) 0xff});
        CompileError viaPipeline = fails(() -> Pipeline.source(file.toString()));
        assertError(viaPipeline, 0, 0, "this is a binary file, not .cnn source text");
        assertEquals(file.toString() + ": error: this is a binary file, not .cnn source text", viaPipeline.render());
        assertError(fails(() -> SourceParser.read(file)), 0, 0, "binary file");
    }

    @Test
    void fileThatIsNotUtf8() throws IOException {
        Path file = Files.write(dir.resolve("latin1.cnn"), "network Å {}".getBytes(StandardCharsets.ISO_8859_1));
        assertError(fails(() -> SourceParser.read(file)), 0, 0, "not UTF-8 text");
    }

    @Test
    void missingFile() {
        assertError(fails(() -> Pipeline.source(dir.resolve("absent.cnn").toString())), 0, 0, "no such file");
    }

    @Test
    void directoryIsNotASourceFile() {
        assertError(fails(() -> Pipeline.source(dir.toString())), 0, 0, "is a directory");
    }

    @Test
    void deepNestingIsAnErrorNotACrash() {
        assertTrue(fails(network("[".repeat(20_000) + "conv" + "]".repeat(20_000))).getMessage().contains("too deeply"));
    }
}
