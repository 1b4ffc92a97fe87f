package org.cnnc.compiler.elaborate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.cnnc.compiler.Pipeline;
import org.cnnc.compiler.diag.CompileError;
import org.cnnc.compiler.diag.SourceFile;
import org.cnnc.compiler.ir.Graph;
import org.cnnc.compiler.ir.Node;
import org.cnnc.compiler.ir.Op;
import org.cnnc.compiler.ir.Shape;
import org.cnnc.compiler.shape.ShapedGraph;
import org.cnnc.compiler.shape.StateDict;
import org.junit.jupiter.api.Test;
import static org.cnnc.compiler.DesignExamples.RESNET50;

class ElaboratorTest {

    static final String CS231N = """
            network Cs231n(N, M, K) {
              input 3x32x32
              INPUT -> [[CONV -> RELU]*N -> POOL?]*M -> [FC -> RELU]*K -> FC
            }
            """;

    static Graph graph(String text, Map<String, String> overrides) {
        return Pipeline.elaborate(new SourceFile("test.cnn", text), null, overrides);
    }

    static Graph graph(String text) {
        return graph(text, Map.of());
    }

    /** A network of one chain on a 3×8×8 input, with parameters N = 2 and flag = false. */
    static Graph chain(String chain) {
        return graph("network Net(N = 2, flag = false) {\n  input 3x8x8\n  " + chain + "\n}\n");
    }

    /** Names of the nodes that own a place in a scope, in graph order. */
    static List<String> names(Graph g) {
        return g.nodes().stream().filter(Node::named).map(Node::name).toList();
    }

    static Node node(Graph g, String name) {
        return g.nodes().stream().filter(n -> n.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no node " + name + " in " + names(g)));
    }

    static List<Integer> dims(Node n) {
        return n.shape().dims();
    }

    // ---- the cs231n line ----

    @Test
    void cs231nLineCompilesWithOverrides() {
        Graph g = graph(CS231N, Map.of("N", "2", "M", "3", "K", "1"));
        assertEquals(Map.of("N", "2", "M", "3", "K", "1"), g.parameters());
        // each of M=3 groups: conv, relu, conv, relu, pool; then fc, relu, fc
        assertEquals(3 * 5 + 3, g.nodes().size() - 1);
        assertEquals(List.of(3, 4, 4), dims(node(g, "14")), "three 2×2 pools take 32 to 4");
        assertEquals(List.of(48), dims(g.outputNode()), "bare fc keeps the 3·4·4 features of the map it flattens");
        assertTrue(g.dropped().isEmpty());
        for (Node n : g.nodes()) {
            if (n.op() instanceof Op.Conv c) {
                assertEquals(new Op.Conv(3, 3, 3, 1, 1, 1, 1, 1, 1, 1, true), c, "bare CONV is 3×3, stride 1, same, same channels");
            }
            if (n.op() instanceof Op.Pool p) {
                assertEquals(new Op.Pool(Op.PoolKind.MAX, 2, 2, 2, 2, 0, 0, false, false), p, "bare POOL is a 2×2 stride-2 max pool");
            }
        }
    }

    @Test
    void cs231nLineDropsThePoolsThatMeetA1x1Map() {
        Graph g = graph(CS231N, Map.of("N", "1", "M", "7", "K", "2"));
        long pools = g.nodes().stream().filter(n -> n.op() instanceof Op.Pool).count();
        assertEquals(5, pools, "32 → 16 → 8 → 4 → 2 → 1, then no 2×2 pool fits");
        assertEquals(2, g.dropped().size());
        Graph.DroppedOptional d = g.dropped().get(0);
        assertEquals(3, d.pos().line());
        assertEquals(CS231N.lines().toList().get(2).indexOf('?') + 1, d.pos().col(), "the place of the '?'");
        assertEquals("POOL", d.what());
        assertTrue(d.reason().contains("does not fit a 1×1 input"), d.reason());
        assertEquals(List.of(3), dims(g.outputNode()));
        // dropped pools take no index: the seventh group's conv follows the sixth's relu directly
        assertEquals(7 * 2 + 5 + 2 * 2 + 1, names(g).size());
        assertEquals(String.valueOf(names(g).size() - 1), g.outputNode().name());
    }

    @Test
    void cs231nLineCompilesInLowerCase() {
        Graph upper = graph(CS231N, Map.of("N", "2", "M", "6", "K", "1"));
        Graph lower = graph(CS231N.replace("INPUT ->", "input ->").replace("CONV", "conv").replace("RELU", "relu")
                .replace("POOL", "pool").replace("FC", "fc"), Map.of("N", "2", "M", "6", "K", "1"));
        assertEquals(upper.nodes().stream().map(n -> n.name() + n.op() + n.shape()).toList(),
                lower.nodes().stream().map(n -> n.name() + n.op() + n.shape()).toList());
        assertEquals(1, lower.dropped().size());
    }

    // ---- layer defaults ----

    @Test
    void bareLayersTakeTheirDefaults() {
        Graph g = graph("network A {\n  input 5x9x9\n  conv -> maxpool -> conv -> avgpool -> fc\n}");
        assertEquals(new Op.Conv(5, 3, 3, 1, 1, 1, 1, 1, 1, 1, true), node(g, "0").op());
        assertEquals(new Op.Pool(Op.PoolKind.MAX, 2, 2, 2, 2, 0, 0, false, false), node(g, "1").op());
        assertEquals(List.of(5, 4, 4), dims(node(g, "1")), "floor((9 − 2)/2) + 1 = 4");
        assertEquals(new Op.Pool(Op.PoolKind.AVG, 2, 2, 2, 2, 0, 0, false, true), node(g, "3").op(),
                "average pooling counts padding by default, as PyTorch does");
        assertEquals(new Op.Fc(5 * 2 * 2, true), node(g, "4").op());
        assertEquals(List.of(20), dims(node(g, "4")));
    }

    @Test
    void layersWithParenthesesTakeTheDocumentedDefaults() {
        Graph g = chain("conv(8) -> conv() -> dwconv -> convtranspose(4) -> bn -> leakyrelu -> dropout -> upsample -> maxpool(3)");
        assertEquals(new Op.Conv(8, 3, 3, 1, 1, 0, 0, 1, 1, 1, true), node(g, "0").op(), "conv(...) has p=0");
        assertEquals(new Op.Conv(8, 3, 3, 1, 1, 0, 0, 1, 1, 1, true), node(g, "1").op());
        assertEquals(new Op.Conv(8, 3, 3, 1, 1, 1, 1, 1, 1, 8, true), node(g, "2").op(), "bare dwconv: groups = in.c, p same");
        assertEquals(new Op.ConvTranspose(4, 3, 3, 1, 1, 0, 0, 0, 0, 1, 1, 1, true), node(g, "3").op());
        assertEquals(new Op.BatchNorm(1e-5), node(g, "4").op());
        assertEquals(new Op.Activation(Op.ActivationKind.LEAKY_RELU, 0.01), node(g, "5").op());
        assertEquals(new Op.Dropout(0.5), node(g, "6").op());
        assertEquals(new Op.Upsample(2, 2, Op.UpsampleMode.NEAREST, false), node(g, "7").op());
        assertEquals(new Op.Pool(Op.PoolKind.MAX, 3, 3, 3, 3, 0, 0, false, false), node(g, "8").op(), "stride defaults to k");
    }

    @Test
    void argumentsMayBePositionalNamedOrAliased() {
        Graph g = chain("conv(16, 5, 2, 2, bias=false) -> conv(out=4, kernel=1, stride=1, padding=0, g=2)"
                + " -> maxpool(kernel=3, stride=2, padding=1, ceil_mode=true) -> batchnorm(1e-3) -> linear(10)");
        assertEquals(new Op.Conv(16, 5, 5, 2, 2, 2, 2, 1, 1, 1, false), node(g, "0").op());
        assertEquals(new Op.Conv(4, 1, 1, 1, 1, 0, 0, 1, 1, 2, true), node(g, "1").op());
        assertEquals(new Op.Pool(Op.PoolKind.MAX, 3, 3, 2, 2, 1, 1, true, false), node(g, "2").op());
        assertEquals(new Op.BatchNorm(1e-3), node(g, "3").op());
        assertEquals(new Op.Fc(10, true), node(g, "4").op());
    }

    @Test
    void layerNamesAreCaseInsensitive() {
        Graph g = chain("Conv(8) -> ReLU -> MAXPOOL -> Fc(4)");
        assertEquals(List.of("conv", "relu", "maxpool", "fc"), g.nodes().stream().skip(1).map(n -> n.op().kind()).toList());
    }

    // ---- parameters ----

    @Test
    void networkParametersTakeDefaultsAndOverrides() {
        String text = """
                network A(width = 8, depth = width / 4, deep = false) {
                  input 3x8x8
                  [conv(width, k=1)]*depth -> relu?(deep)
                }
                """;
        Graph defaults = graph(text, Map.of());
        assertEquals(Map.of("width", "8", "depth", "2", "deep", "false"), defaults.parameters());
        assertEquals(List.of("0", "1"), names(defaults));
        assertEquals(List.of(8, 8, 8), dims(defaults.outputNode()));

        Graph overridden = graph(text, Map.of("width", "16", "deep", "true"));
        assertEquals(Map.of("width", "16", "depth", "4", "deep", "true"), overridden.parameters(),
                "a default is computed from the overridden value");
        assertEquals(List.of("0", "1", "2", "3", "4"), names(overridden));
        assertEquals(List.of(16, 8, 8), dims(overridden.outputNode()));
    }

    @Test
    void blockParametersArePositionalNamedOrDefaulted() {
        String text = """
                block B(c, k = 3, s = 1) = conv(c, k=k, s=s, p=k // 2)
                network A {
                  input 3x16x16
                  B(4) -> B(8, 5) -> B(c=12, s=2) -> B(2, s=2, k=1)
                }
                """;
        Graph g = graph(text);
        assertEquals(new Op.Conv(4, 3, 3, 1, 1, 1, 1, 1, 1, 1, true), node(g, "0.0").op());
        assertEquals(new Op.Conv(8, 5, 5, 1, 1, 2, 2, 1, 1, 1, true), node(g, "1.0").op());
        assertEquals(new Op.Conv(12, 3, 3, 2, 2, 1, 1, 1, 1, 1, true), node(g, "2.0").op());
        assertEquals(new Op.Conv(2, 1, 1, 2, 2, 0, 0, 1, 1, 1, true), node(g, "3.0").op());
        assertEquals(List.of(2, 4, 4), dims(g.outputNode()));
    }

    @Test
    void blocksSeeOnlyTheirOwnParameters() {
        String text = """
                block B(c) = conv(c * N, k=1)
                network A(N = 2) {
                  input 3x8x8
                  B(4)
                }
                """;
        CompileError e = assertThrows(CompileError.class, () -> graph(text));
        assertTrue(e.getMessage().contains("undefined parameter 'N'"), e.getMessage());
        assertEquals(1, e.pos().line());
    }

    @Test
    void aBlockParameterDefaultReadsTheBlocksOwnInput() {
        String text = """
                block Keep(c = in.c) = conv(c, k=1)
                network A {
                  input 3x8x8
                  conv(16, k=1) -> Keep
                }
                """;
        Graph g = graph(text);
        assertEquals(List.of(16, 8, 8), dims(node(g, "1.0")), "in.c in a default is the 16 channels arriving at Keep");
    }

    // ---- expressions ----

    @Test
    void expressionsEvaluateInDoublePrecision() {
        Graph g = graph("network A(i = 0) {\n  input 3x1x1\n"
                + "  conv(7 // 2, k=1) -> conv(-7 % 3 + 1, k=1) -> conv(2 ^ 3, k=1) -> conv(max(1, 5, 3), k=1)"
                + " -> conv(floor(2.7) + ceil(0.1) * 0, k=1) -> conv(round(2.5), k=1) -> conv(abs(-4), k=1)"
                + " -> conv(if(1 < 2, 6, 7), k=1) -> conv(min(in.c, 9) / 2 * 4, k=1) -> conv(1.5 * 2, k=1)\n}");
        assertEquals(List.of(3, 3, 8, 5, 2, 3, 4, 6, 6, 3), g.nodes().stream().skip(1).map(n -> n.shape().channels()).toList());
    }

    @Test
    void conditionsCompareNumbersByValue() {
        Graph g = graph("network A(i = 0) {\n  input 3x1x1\n"
                + "  a: relu?(-i == 0) -> b: relu?(0 * -1 != 0) -> c: relu?(not (1 > 2) and (false or 2 >= 2))"
                + " -> d: relu?(1 <= 0.5) -> e: relu?(same == same)\n}");
        assertEquals(List.of("a", "c", "e"), names(g));
    }

    // ---- repeats, labels, optionals ----

    @Test
    void repeatIndexIsBoundWithAs() {
        Graph g = chain("[conv(8 * (i + 1), k=1)]*3 as i");
        assertEquals(List.of(8, 16, 24), g.nodes().stream().skip(1).map(n -> n.shape().channels()).toList());
    }

    @Test
    void repeatIndexGivesALabelSuffix() {
        Graph g = chain("[denselayer{i + 1}: conv(4, k=1) -> relu]*3 as i");
        assertEquals(List.of("denselayer1", "1", "denselayer2", "3", "denselayer3", "5"), names(g));
    }

    @Test
    void nestedRepeatsBindTheirOwnIndices() {
        Graph g = chain("[[b{i * 10 + j}: conv(1 + i + j, k=1)]*2 as j]*2 as i");
        assertEquals(List.of("b0", "b1", "b10", "b11"), names(g));
        assertEquals(List.of(1, 2, 2, 3), g.nodes().stream().skip(1).map(n -> n.shape().channels()).toList());
    }

    @Test
    void repeatCountMayBeAnExpressionOrZero() {
        assertEquals(4, names(chain("relu*(N * 2)")).size());
        assertEquals(List.of("0"), names(chain("[conv]*0 -> relu")));
        assertEquals(0, names(chain("relu*(N - 2)")).size());
    }

    @Test
    void optionalWithAConditionIsKeptOnlyWhereItHolds() {
        Graph kept = chain("conv?(N > 1) -> relu");
        assertEquals(List.of("0", "1"), names(kept));
        assertTrue(kept.dropped().isEmpty());

        Graph droppedGraph = chain("conv?(flag) -> relu");
        assertEquals(List.of("0"), names(droppedGraph), "a dropped optional takes no index");
        assertEquals(List.of("relu"), droppedGraph.nodes().stream().skip(1).map(n -> n.op().kind()).toList());
        Graph.DroppedOptional d = droppedGraph.dropped().get(0);
        assertEquals("conv", d.what());
        assertEquals("its condition is false", d.reason());
        assertEquals(3, d.pos().line());
        assertEquals(7, d.pos().col());
    }

    @Test
    void optionalGroupIsKeptOnlyWhereAllOfItFits() {
        Graph g = graph("network A {\n  input 3x4x4\n  conv(8, k=3) -> [conv(8, k=1) -> maxpool(3)]? -> fc(2)\n}");
        assertEquals(List.of("0", "1"), names(g), "the group is dropped whole: its conv fits a 2×2 map, its pool does not");
        assertEquals(List.of(2), dims(g.outputNode()));
        assertEquals(List.of(8, 2, 2), dims(g.node(g.outputNode().inputs().get(0))), "fc flattens the map it gets");
        assertEquals("[...]", g.dropped().get(0).what());
        assertTrue(g.dropped().get(0).reason().contains("maxpool 3×3 does not fit a 2×2 input"), g.dropped().get(0).reason());
    }

    @Test
    void optionalThatFitsIsKept() {
        Graph g = graph("network A {\n  input 3x4x4\n  maxpool? -> maxpool? -> maxpool?\n}");
        assertEquals(List.of("0", "1"), names(g));
        assertEquals(List.of(3, 1, 1), dims(g.outputNode()));
        assertEquals(1, g.dropped().size());
    }

    // ---- add, concat and shapes ----

    @Test
    void addSumsEqualShapes() {
        Graph g = chain("add { conv(3, k=3, p=1) -> relu | identity } -> relu");
        Node add = g.nodes().stream().filter(n -> n.op() instanceof Op.Add).findFirst().orElseThrow();
        assertEquals(List.of(3, 8, 8), dims(add));
        assertEquals(List.of(2, 0), add.inputs(), "the residual branch is the input itself");
        assertFalse(add.named());
        assertEquals(List.of("0", "1", "2"), names(g), "add opens no scope and takes no index");
    }

    @Test
    void addWithADroppedOptionalBranchIsAResidual() {
        Graph g = chain("add { conv(3, k=1) | conv(3, k=1)?(flag) }");
        Node add = g.outputNode();
        assertInstanceOf(Op.Add.class, add.op());
        assertEquals(List.of(1, 0), add.inputs());
    }

    @Test
    void concatJoinsChannels() {
        Graph g = chain("concat { conv(4, k=1) | conv(6, k=3, p=1) | identity | maxpool(3, s=1, p=1) }");
        Node cat = g.outputNode();
        assertInstanceOf(Op.Concat.class, cat.op());
        assertEquals(List.of(4 + 6 + 3 + 3, 8, 8), dims(cat));
        assertEquals(4, cat.inputs().size());
        assertEquals(List.of("0", "1", "2"), names(g));
    }

    @Test
    void concatOfVectorsJoinsFeatures() {
        Graph g = graph("network A {\n  input 10\n  concat { fc(3) | fc(4) }\n}");
        assertEquals(List.of(7), dims(g.outputNode()));
    }

    @Test
    void inShapeReadsTheNetworkInputAtTopLevel() {
        Graph g = graph("network A {\n  input 3x8x16\n  conv(8, k=1) -> adaptiveavgpool(in.h / 2, in.w / 4) -> conv(in.c * 2, k=1)\n}");
        assertEquals(List.of(8, 4, 4), dims(node(g, "1")));
        assertEquals(List.of(6, 4, 4), dims(node(g, "2")), "in.c is the network's 3 input channels, not the 8 arriving");
    }

    @Test
    void inShapeReadsTheInputOfTheInnermostBlockInstance() {
        String text = """
                block Inner = conv(in.c + in.h, k=1)
                block Outer = conv(5, k=1) -> Inner -> conv(in.c, k=1)
                network A {
                  input 3x8x8
                  maxpool -> Outer
                }
                """;
        Graph g = graph(text);
        assertEquals(9, node(g, "1.1.0").shape().channels(), "Inner sees 5 channels of 4×4: 5 + 4");
        assertEquals(3, node(g, "1.2").shape().channels(), "Outer sees the 3 channels that reach it");
    }

    // ---- names (DESIGN.md, "Names") ----

    @Test
    void labelledGroupNumbersItsElements() {
        Graph g = chain("downsample: [conv -> bn]");
        assertEquals(List.of("downsample.0", "downsample.1"), names(g));
    }

    @Test
    void vggStyleFeaturesAreNumberedAsNnSequential() {
        Graph g = chain("features: [[conv(64, k=3, p=1) -> relu]*2 -> maxpool]");
        assertEquals(List.of("features.0", "features.1", "features.2", "features.3", "features.4"), names(g));
        assertInstanceOf(Op.Conv.class, node(g, "features.0").op());
        assertInstanceOf(Op.Conv.class, node(g, "features.2").op());
        assertInstanceOf(Op.Pool.class, node(g, "features.4").op());
    }

    @Test
    void resnetStagesAndBottlenecksNestTheirNames() {
        ShapedGraph shaped = Pipeline.shaped(new SourceFile("resnet50.cnn", RESNET50), null, Map.of());
        Graph g = shaped.graph();
        Set<String> all = g.nodes().stream().map(Node::name).collect(Collectors.toSet());
        for (String name : List.of("conv1", "bn1", "layer1.0.conv1", "layer1.0.bn1", "layer1.0.conv3", "layer1.0.bn3",
                "layer1.0.downsample.0", "layer1.0.downsample.1", "layer1.1.conv1", "layer1.2.conv1",
                "layer2.0.downsample.0", "layer2.3.conv3", "layer3.5.bn3", "layer4.2.conv2", "fc")) {
            assertTrue(all.contains(name), name + " in " + names(g));
        }
        assertFalse(all.contains("layer1.3.conv1"), "layer1 holds three blocks");
        assertFalse(all.contains("layer1.1.downsample.0"), "only a block that changes shape projects its input");
        assertEquals(3 + 4 + 6 + 3 - 4, g.dropped().size(), "the skip of every block but the first of each stage");
        assertEquals(new Op.Conv(256, 1, 1, 1, 1, 0, 0, 1, 1, 1, false), node(g, "layer1.0.downsample.0").op());
        assertEquals(new Op.Conv(512, 1, 1, 2, 2, 0, 0, 1, 1, 1, false), node(g, "layer2.0.downsample.0").op());
        assertEquals(25_557_032L, shaped.totalParams(), "torchvision's resnet50");
        assertEquals(4.09e9, shaped.totalMacs(), 0.005e9, "torchvision's 4.09 GFLOPS (multiply-accumulates)");
        Map<String, List<Integer>> tensors = StateDict.tensors(g).stream()
                .collect(Collectors.toMap(StateDict.Tensor::name, StateDict.Tensor::shape));
        assertEquals(List.of(64, 3, 7, 7), tensors.get("conv1.weight"));
        assertEquals(List.of(256, 64, 1, 1), tensors.get("layer1.0.downsample.0.weight"));
        assertEquals(List.of(256), tensors.get("layer1.0.downsample.1.running_var"));
        assertEquals(List.of(1000, 2048), tensors.get("fc.weight"));
    }

    @Test
    void stageBlockInstancesAreNumberedInTheirScope() {
        Graph g = graph(RESNET50);
        List<String> layer1 = names(g).stream().filter(n -> n.startsWith("layer1.")).map(n -> n.split("\\.")[1])
                .distinct().toList();
        assertEquals(List.of("0", "1", "2"), layer1);
    }

    @Test
    void mobileNetV2ExpandRatioOneBlockNamesMatchTorchvision() {
        String text = """
                block ConvBNReLU(c, s = 1, g = 1) = conv(c, k=3, s=s, p=1, groups=g, bias=false) -> bn -> relu6
                block InvertedResidual1(c) = conv: [ConvBNReLU(in.c, g=in.c) -> conv(c, k=1, bias=false) -> bn]
                network M {
                  input 3x224x224
                  features: [ConvBNReLU(32, s=2) -> InvertedResidual1(16)]
                }
                """;
        Graph g = graph(text);
        assertEquals(List.of("features.0.0", "features.0.1", "features.0.2",
                "features.1.conv.0.0", "features.1.conv.0.1", "features.1.conv.0.2",
                "features.1.conv.1", "features.1.conv.2"), names(g));
        Map<String, List<Integer>> tensors = StateDict.tensors(g).stream()
                .collect(Collectors.toMap(StateDict.Tensor::name, StateDict.Tensor::shape));
        assertEquals(List.of(32, 1, 3, 3), tensors.get("features.1.conv.0.0.weight"), "depthwise");
        assertEquals(List.of(32), tensors.get("features.1.conv.0.1.weight"));
        assertEquals(List.of(16, 32, 1, 1), tensors.get("features.1.conv.1.weight"));
        assertEquals(List.of(16), tensors.get("features.1.conv.2.running_mean"));
    }

    @Test
    void identityTakesNoIndexButDropoutDoes() {
        Graph g = chain("conv -> identity -> dropout -> relu -> identity -> fc(10)");
        assertEquals(List.of("0", "1", "2", "3"), names(g));
        assertInstanceOf(Op.Dropout.class, node(g, "1").op());
        assertInstanceOf(Op.Fc.class, node(g, "3").op());
    }

    @Test
    void droppedOptionalTakesNoIndex() {
        Graph g = graph("network A {\n  input 3x2x2\n  conv -> maxpool? -> maxpool? -> relu\n}");
        assertEquals(List.of("0", "1", "2"), names(g));
        assertInstanceOf(Op.Activation.class, node(g, "2").op());
    }

    @Test
    void labelReplacesTheIndexAndMayReuseALayerName() {
        Graph g = chain("conv -> act: relu -> fc: fc(10)");
        assertEquals(List.of("0", "act", "fc"), names(g));
    }

    @Test
    void labelledRepeatAndLabelledAddAreScopes() {
        Graph g = chain("blocks: [conv -> relu]*2 -> res: add { conv | identity } -> relu");
        assertEquals(List.of("blocks.0", "blocks.1", "blocks.2", "blocks.3", "res.0", "2"), names(g));
        assertEquals("res.add", g.nodes().stream().filter(n -> n.op() instanceof Op.Add).findFirst().orElseThrow().name());
    }

    @Test
    void unlabelledBlockInstanceTakesItsIndexAsItsScope() {
        Graph g = graph("block B = conv -> bn\nnetwork A {\n  input 3x8x8\n  relu -> B -> lbl: B -> B\n}");
        assertEquals(List.of("0", "1.0", "1.1", "lbl.0", "lbl.1", "3.0", "3.1"), names(g));
    }

    @Test
    void bracketsOpenNoScope() {
        Graph g = chain("conv -> [relu -> [conv -> [bn]]] -> concat { relu | add { identity | identity } }");
        assertEquals(List.of("0", "1", "2", "3", "4"), names(g));
        assertEquals(List.of(6, 8, 8), dims(g.outputNode()));
    }
}
