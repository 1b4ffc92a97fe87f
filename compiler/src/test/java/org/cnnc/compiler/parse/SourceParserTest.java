package org.cnnc.compiler.parse;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.cnnc.compiler.ast.CnnFile;
import org.cnnc.compiler.ast.Decl;
import org.cnnc.compiler.ast.Element;
import org.cnnc.compiler.ast.Expr;
import org.cnnc.compiler.diag.CompileError;
import org.cnnc.compiler.diag.Pos;
import static org.cnnc.compiler.DesignExamples.LENET5;
import static org.cnnc.compiler.DesignExamples.RESNET50;
import static org.cnnc.compiler.DesignExamples.VGGISH;
import org.junit.jupiter.api.Test;

class SourceParserTest {

    static final String CS231N = "INPUT -> [[CONV -> RELU]*N -> POOL?]*M -> [FC -> RELU]*K -> FC";

    static CnnFile parse(String text) {
        return SourceParser.parse("test.cnn", text);
    }

    static String network(String chain) {
        return "network Net(N = 2, M = 3, K = 1) {\n  input 3x32x32\n  " + chain + "\n}\n";
    }

    /** The 1-based line and column of the first occurrence of {@code needle}. */
    static int[] at(String text, String needle) {
        int index = text.indexOf(needle);
        if (index < 0) throw new IllegalArgumentException(needle + " is not in the text");
        int line = 1, lineStart = 0;
        for (int i = 0; i < index; i++) {
            if (text.charAt(i) == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        return new int[] {line, index - lineStart + 1};
    }

    static void assertAt(String text, String needle, Pos pos) {
        int[] expected = at(text, needle);
        assertEquals(expected[0] + ":" + expected[1], pos.line() + ":" + pos.col(), "position of '" + needle + "'");
    }

    /** Prints a chain back in the language's own syntax (expressions fully parenthesised), without positions. */
    static String show(List<Element> chain) {
        return chain.stream().map(SourceParserTest::show).collect(Collectors.joining(" -> "));
    }

    static String show(Element e) {
        return switch (e) {
            case Element.Call c -> c.name() + (c.bare() ? "" : "(" + c.args().stream()
                    .map(a -> (a.named() ? a.name() + "=" : "") + show(a.value())).collect(Collectors.joining(", ")) + ")");
            case Element.Group g -> "[" + show(g.chain()) + "]";
            case Element.Branches b -> b.merge().name().toLowerCase(Locale.ROOT) + " { "
                    + b.branches().stream().map(SourceParserTest::show).collect(Collectors.joining(" | ")) + " }";
            case Element.InputRef i -> "INPUT";
            case Element.Labeled l -> l.label().name() + (l.label().suffix() == null ? "" : "{" + show(l.label().suffix()) + "}")
                    + ": " + show(l.element());
            case Element.Repeat r -> show(r.body()) + "*" + show(r.count()) + (r.index() == null ? "" : " as " + r.index());
            case Element.Optional o -> show(o.body()) + "?" + (o.condition() == null ? "" : "(" + show(o.condition()) + ")");
        };
    }

    static String show(Expr e) {
        return switch (e) {
            case Expr.Num n -> n.value() == Math.rint(n.value()) ? Long.toString((long) n.value()) : Double.toString(n.value());
            case Expr.Bool b -> Boolean.toString(b.value());
            case Expr.Ref r -> r.name();
            case Expr.InShape s -> "in." + s.dim();
            case Expr.Unary u -> "(" + u.op() + " " + show(u.operand()) + ")";
            case Expr.Binary b -> "(" + show(b.left()) + " " + b.op() + " " + show(b.right()) + ")";
            case Expr.Call c -> c.function() + "(" + c.args().stream().map(SourceParserTest::show)
                    .collect(Collectors.joining(", ")) + ")";
        };
    }

    static Decl.Network only(CnnFile file) {
        assertEquals(1, file.networks().size(), "networks");
        return file.networks().get(0);
    }

    // ---- cs231n line ----

    @Test
    void cs231nLineParsesAsWritten() {
        Decl.Network net = only(parse(network(CS231N)));
        assertEquals(CS231N, show(net.body()));
        List<Element> body = net.body();
        assertEquals(4, body.size());
        assertInstanceOf(Element.InputRef.class, body.get(0));
        Element.Repeat outer = assertInstanceOf(Element.Repeat.class, body.get(1));
        assertEquals("M", assertInstanceOf(Expr.Ref.class, outer.count()).name());
        assertNull(outer.index());
        Element.Group group = assertInstanceOf(Element.Group.class, outer.body());
        Element.Optional pool = assertInstanceOf(Element.Optional.class, group.chain().get(1));
        assertNull(pool.condition(), "POOL? has no condition: it is kept where its shape rule holds");
        Element.Call poolCall = assertInstanceOf(Element.Call.class, pool.body());
        assertEquals("POOL", poolCall.name());
        assertTrue(poolCall.bare());
        Element.Call last = assertInstanceOf(Element.Call.class, body.get(3));
        assertEquals("FC", last.name());
        assertTrue(last.bare());
    }

    @Test
    void cs231nLineParsesInLowerCase() {
        String lower = CS231N.toLowerCase(Locale.ROOT);
        Decl.Network net = only(parse(network(lower)));
        // show() prints the INPUT keyword in upper case; names keep the case they were written in.
        assertEquals(lower.replace("input", "INPUT"), show(net.body()));
        assertInstanceOf(Element.InputRef.class, net.body().get(0));
    }

    @Test
    void keywordsParseInAnyCase() {
        CnnFile file = parse("""
                BLOCK B(c) = Conv(c) -> ReLU
                NetWork Net {
                  INPUT 3X8X8
                  Input -> B(4) -> ADD { conv(4, k=1) | IDENTITY } -> Concat { relu | relu }
                }
                """);
        assertEquals(1, file.blocks().size());
        Decl.Network net = only(file);
        assertEquals(List.of(3.0, 8.0, 8.0), net.input().dims().stream().map(d -> ((Expr.Num) d).value()).toList());
        assertEquals("INPUT -> B(4) -> add { conv(4, k=1) | IDENTITY } -> concat { relu | relu }", show(net.body()));
    }

    // ---- design examples ----

    @Test
    void lenet5Parses() {
        Decl.Network net = only(parse(LENET5));
        assertEquals("LeNet5", net.name());
        assertTrue(net.params().isEmpty());
        assertEquals(List.of(1.0, 28.0, 28.0), net.input().dims().stream().map(d -> ((Expr.Num) d).value()).toList());
        assertEquals("conv(6, k=5, p=2) -> sigmoid -> avgpool(2) -> conv(16, k=5) -> sigmoid -> avgpool(2)"
                + " -> flatten -> fc(120) -> sigmoid -> fc(84) -> sigmoid -> fc(10)", show(net.body()));
    }

    @Test
    void vggishParsesWithItsParameterDefaults() {
        Decl.Network net = only(parse(VGGISH));
        assertEquals(List.of("N", "M", "width"), net.params().stream().map(Decl.Param::name).toList());
        assertEquals(List.of("2", "3", "32"), net.params().stream().map(p -> show(p.defaultValue())).toList());
        assertEquals("[[conv(width, k=3, p=same) -> relu]*N -> maxpool?]*M -> fc(10) -> softmax", show(net.body()));
    }

    @Test
    void bottleneckStageAndResNet50Parse() {
        CnnFile file = parse(RESNET50);
        assertEquals(List.of("Bottleneck", "Stage"), file.blocks().stream().map(Decl.Block::name).toList());
        Decl.Block bottleneck = file.blocks().get(0);
        assertEquals("c", bottleneck.params().get(0).name());
        assertNull(bottleneck.params().get(0).defaultValue(), "c has no default");
        assertEquals("1", show(bottleneck.params().get(1).defaultValue()));
        assertEquals("add { conv1: conv(c, k=1, bias=false) -> bn1: bn -> relu"
                + " -> conv2: conv(c, k=3, s=s, p=1, bias=false) -> bn2: bn -> relu"
                + " -> conv3: conv((4 * c), k=1, bias=false) -> bn3: bn"
                + " | downsample: [conv((4 * c), k=1, s=s, bias=false) -> bn]?(((s != 1) or (in.c != (4 * c)))) } -> relu",
                show(bottleneck.body()));
        assertEquals("Bottleneck(c, s) -> [Bottleneck(c)]*(n - 1)", show(file.blocks().get(1).body()));
        Decl.Network net = only(file);
        assertEquals("ResNet50", net.name());
        assertEquals(11, net.body().size(), "conv1, bn1, relu, maxpool, four stages, globalavgpool, flatten, fc");
        Element.Labeled fc = assertInstanceOf(Element.Labeled.class, net.body().get(net.body().size() - 1));
        assertEquals("fc", fc.label().name(), "a label may reuse a layer's name");
    }

    @Test
    void aFileHoldsAnyNumberOfBlocksAndNetworks() {
        CnnFile file = parse(LENET5 + VGGISH + RESNET50);
        assertEquals(List.of("LeNet5", "Vggish", "ResNet50"), file.networks().stream().map(Decl.Network::name).toList());
        assertEquals(2, file.blocks().size());
    }

    // ---- syntax ----

    @Test
    void inputTakesDimsFeaturesOrExpressions() {
        assertEquals(List.of("3", "224", "224"), dims("input 3x224x224"));
        assertEquals(List.of("3", "224", "224"), dims("input 3×224×224"));
        assertEquals(List.of("784"), dims("input 784"));
        assertEquals(List.of("3", "size", "(size // 2)"), dims("input (3, size, size // 2)"));
    }

    private List<String> dims(String input) {
        Decl.Network net = only(parse("network A(size = 8) {\n  " + input + "\n  relu\n}"));
        return net.input().dims().stream().map(SourceParserTest::show).toList();
    }

    @Test
    void anArrowMayFollowTheInputDeclaration() {
        assertEquals("relu", show(only(parse("network A { input 784 -> relu }")).body()));
    }

    @Test
    void repeatIndexAndLabelSuffixParse() {
        Decl.Network net = only(parse(network("[denselayer{i + 1}: conv(8 * (i + 1))]*(N + 1) as i")));
        assertEquals("[denselayer{(i + 1)}: conv((8 * (i + 1)))]*(N + 1) as i", show(net.body()));
    }

    @Test
    void optionalTakesACondition() {
        Decl.Network net = only(parse(network("conv?(N > 1 and not false) -> relu?")));
        assertEquals("conv?(((N > 1) and (not false))) -> relu?", show(net.body()));
    }

    @Test
    void expressionsFollowPrecedence() {
        Decl.Network net = only(parse(network("conv(1 + 2 * 3 ^ 2 ^ 2 - -4 % 3, k=max(1, min(3, 5)), s=if(N == 2, 1, 2))")));
        assertEquals("conv(((1 + (2 * (3 ^ (2 ^ 2)))) - ((- 4) % 3)), k=max(1, min(3, 5)), s=if((N == 2), 1, 2))",
                show(net.body()));
    }

    @Test
    void numbersMayHaveFractionsAndExponents() {
        Decl.Network net = only(parse(network("bn(eps=1e-3) -> dropout(0.25) -> leakyrelu(.5)")));
        assertEquals("bn(eps=0.001) -> dropout(0.25) -> leakyrelu(0.5)", show(net.body()));
    }

    @Test
    void theUnicodeArrowIsAnArrow() {
        assertEquals("conv -> relu", show(only(parse(network("conv → relu"))).body()));
    }

    // ---- comments ----

    @Test
    void slashSlashHashAndBlockCommentsAreSkipped() {
        String text = """
                // a line comment
                # another line comment
                /* a block comment
                   over two lines */
                network A { // after the brace
                  input 3x8x8 # after the input
                  conv(8) /* inline */ -> relu /* and
                  across lines */ -> fc(10)
                }
                """;
        Decl.Network net = only(parse(text));
        assertEquals("conv(8) -> relu -> fc(10)", show(net.body()));
        assertAt(text, "fc(10)", net.body().get(2).pos());
    }

    @Test
    void slashSlashInsideParenthesesIsFloorDivision() {
        Decl.Network net = only(parse(network("conv(64 // 3, k=7 // 2) -> relu // a comment (with a parenthesis")));
        assertEquals("conv((64 // 3), k=(7 // 2)) -> relu", show(net.body()));
    }

    @Test
    void hashCommentsWorkInsideParentheses() {
        Decl.Network net = only(parse(network("conv(8, # the channels\n    k=3) -> relu")));
        assertEquals("conv(8, k=3) -> relu", show(net.body()));
    }

    @Test
    void floorDivisionInARepeatCountAndInAnInputExpression() {
        Decl.Network net = only(parse("network A(n = 7) {\n  input (3, n // 2, 8)\n  conv*(n // 2)\n}"));
        assertEquals("(n // 2)", show(net.input().dims().get(1)));
        assertEquals("conv*(n // 2)", show(net.body()));
    }

    // ---- positions ----

    static final String POSITIONS = """
            block B(c, s = 1) = conv(c, s=s) -> bn
            network Net(width = 16) {
              input 3x32x32
              stem: conv(width, k=3) -> [B(width * 2)]*3 as i
                -> add { relu | identity } -> pool?(width > 8)
            }
            """;

    @Test
    void declarationsAndParametersKnowWhereTheyAre() {
        CnnFile file = parse(POSITIONS);
        Decl.Block b = file.blocks().get(0);
        assertAt(POSITIONS, "B(c", b.pos());
        assertAt(POSITIONS, "s = 1", b.params().get(1).pos());
        Decl.Network net = file.networks().get(0);
        assertAt(POSITIONS, "Net", net.pos());
        assertAt(POSITIONS, "width = 16", net.params().get(0).pos());
        assertAt(POSITIONS, "input", net.input().pos());
        assertEquals(3, net.input().dims().get(0).pos().line());
        assertEquals(9, net.input().dims().get(0).pos().col(), "each dimension of 3x32x32 has its own column");
        assertEquals(11, net.input().dims().get(1).pos().col());
        assertEquals(14, net.input().dims().get(2).pos().col());
        assertEquals("test.cnn", net.pos().file().name());
    }

    @Test
    void elementsKnowWhereTheyAre() {
        Decl.Network net = parse(POSITIONS).networks().get(0);
        Element.Labeled stem = assertInstanceOf(Element.Labeled.class, net.body().get(0));
        assertAt(POSITIONS, "stem", stem.pos());
        Element.Call conv = assertInstanceOf(Element.Call.class, stem.element());
        assertAt(POSITIONS, "conv(width", conv.pos());
        assertAt(POSITIONS, "width, k=3", conv.args().get(0).pos());
        assertAt(POSITIONS, "k=3", conv.args().get(1).pos());
        assertAt(POSITIONS, "3) ->", conv.args().get(1).value().pos());

        Element.Repeat repeat = assertInstanceOf(Element.Repeat.class, net.body().get(1));
        assertAt(POSITIONS, "*3 as", repeat.pos());
        Element.Group group = assertInstanceOf(Element.Group.class, repeat.body());
        assertAt(POSITIONS, "[B(", group.pos());
        Element.Call b = assertInstanceOf(Element.Call.class, group.chain().get(0));
        Expr.Binary times = assertInstanceOf(Expr.Binary.class, b.args().get(0).value());
        assertAt(POSITIONS, "* 2", times.pos());
        assertAt(POSITIONS, "width * 2", times.left().pos());

        Element.Branches add = assertInstanceOf(Element.Branches.class, net.body().get(2));
        assertAt(POSITIONS, "add", add.pos());
        assertAt(POSITIONS, "identity", add.branches().get(1).get(0).pos());
        Element.Optional pool = assertInstanceOf(Element.Optional.class, net.body().get(3));
        assertAt(POSITIONS, "?(width", pool.pos());
        assertAt(POSITIONS, "pool?", pool.body().pos());
        assertAt(POSITIONS, "> 8", pool.condition().pos());
    }

    // ---- syntax errors ----

    private CompileError error(String text) {
        CompileError e = assertThrows(CompileError.class, () -> parse(text));
        assertEquals(0, e.getStackTrace().length, "a CompileError carries no stack trace");
        assertFalse(e.render().contains("Exception"), e.render());
        return e;
    }

    private void assertError(CompileError e, int line, int col, String message) {
        assertAll(
                () -> assertEquals(line + ":" + col, e.pos().line() + ":" + e.pos().col(), "position"),
                () -> assertTrue(e.getMessage().contains(message), () -> "'" + e.getMessage() + "' lacks '" + message + "'"));
    }

    @Test
    void missingElementBetweenArrows() {
        CompileError e = error(network("conv(8) -> -> relu"));
        assertError(e, 3, 14, "unexpected '->'; expected one of '[', 'add', 'concat', 'input', a name");
    }

    @Test
    void missingElementAfterTheLastArrow() {
        CompileError e = error("network A {\n  input 3x8x8\n  conv(8) ->\n}\n");
        assertError(e, 4, 1, "unexpected '}'; expected one of '[', 'add', 'concat', 'input', a name");
    }

    @Test
    void missingArrowBetweenElements() {
        assertError(error(network("conv(8) relu")), 3, 11, "unexpected 'relu'; expected one of '->', '}'");
        assertError(error(network("[conv(8) relu]")), 3, 12, "unexpected 'relu'; expected one of '->', ']'");
        assertError(error(network("add { conv(8) relu | identity }")), 3, 17, "expected one of '->', '|', '}'");
        assertError(error("block B = conv relu\n"), 1, 16, "unexpected 'relu'; expected one of '->', 'block'");
    }

    @Test
    void noArrowIsSuggestedAfterANetwork() {
        CompileError e = error("network A { input 784 -> relu } relu\n");
        assertError(e, 1, 33, "unexpected 'relu'; expected one of 'block', 'network', end of file");
        assertFalse(e.getMessage().contains("->"), e.getMessage());
    }

    @Test
    void unclosedBracket() {
        assertError(error("network A {\n  input 3x8x8\n  [conv(8) -> relu\n}\n"), 4, 1, "unexpected '}'; expected ']'");
    }

    @Test
    void extraClosingBracket() {
        assertError(error(network("[conv(8) -> relu]] -> fc")), 3, 20, "unexpected ']'");
    }

    @Test
    void unclosedParenthesis() {
        assertError(error(network("conv(8, k=3 -> relu")), 3, 15, "unexpected '->'; expected one of ')', ','");
    }

    @Test
    void strayCharacter() {
        assertError(error(network("conv(8) -> $ -> relu")), 3, 14, "unexpected character '$'");
        assertError(error(network("conv(8) -> relu @")), 3, 19, "unexpected character '@'");
    }

    @Test
    void missingClosingBraceIsReportedAtTheEndOfTheLastToken() {
        CompileError e = error("network A {\n  input 3x8x8\n  conv(8) -> relu\n\n");
        assertError(e, 3, 18, "unexpected end of file; expected '}'");
    }

    @Test
    void missingBraceAfterTheNetworkHeader() {
        assertError(error("network A\n  input 3x8x8\n  conv(8)\n}\n"), 2, 3, "unexpected 'input'; expected one of '(', '{'");
    }

    @Test
    void unknownShapeField() {
        assertError(error(network("conv(in.q)")), 3, 11, "unknown shape field 'in.q'; the fields are in.c, in.h and in.w");
    }

    @Test
    void renderShowsFileLineColumnTheSourceLineAndACaret() {
        CompileError e = error(network("conv(8) -> $ -> relu"));
        assertEquals("""
                test.cnn:3:14: error: unexpected character '$'
                    conv(8) -> $ -> relu
                               ^""", e.render());
    }

    @Test
    void renderKeepsTheCaretUnderTheColumnAfterATab() {
        CompileError e = error("network A {\n  input 3x8x8\n\tconv(8) -> $\n}\n");
        assertEquals(3, e.pos().line());
        assertEquals(13, e.pos().col());
        String[] lines = e.render().split("\n");
        assertEquals(3, lines.length);
        assertEquals("   conv(8) -> $", lines[1]);
        assertEquals(lines[1].indexOf('$'), lines[2].indexOf('^'));
    }

    @Test
    void deepNestingIsAnErrorNotACrash() {
        CompileError brackets = error(network("[".repeat(20_000) + "conv" + "]".repeat(20_000)));
        assertTrue(brackets.getMessage().contains("too deeply"), brackets.getMessage());
        CompileError sum = error(network("conv(" + String.join(" + ", Collections.nCopies(50_000, "1")) + ")"));
        assertTrue(sum.getMessage().contains("too deeply"), sum.getMessage());
    }
}
