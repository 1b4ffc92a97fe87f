package org.cnnc.stdlib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.cnnc.compiler.Pipeline;
import org.cnnc.compiler.ir.Node;
import org.cnnc.compiler.ir.Op;
import org.cnnc.compiler.shape.ShapedGraph;
import org.cnnc.compiler.shape.StateDict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The classic networks of the stdlib (LeNet-5, AlexNet, VGG-11, VGG-16, GoogLeNet, NiN) against
 * their published figures (torchvision's model table; Dive into Deep Learning for LeNet-5 and
 * NiN) and against the names and shapes of the tensors in the reference state_dict.
 */
class ClassicNetworksTest {

    /** Each network is compiled once per parameter set and shared by the tests below. */
    private static final Map<String, ShapedGraph> COMPILED = new ConcurrentHashMap<>();

    private static ShapedGraph net(String name) {
        return net(name, Map.of());
    }

    private static ShapedGraph net(String name, Map<String, String> overrides) {
        return COMPILED.computeIfAbsent(name + overrides,
                key -> Pipeline.shaped(Pipeline.source(name), null, overrides));
    }

    private static List<Integer> shapeOf(ShapedGraph graph, String nodeName) {
        return graph.graph().nodes().stream().filter(n -> n.name().equals(nodeName)).findFirst()
                .orElseThrow(() -> new AssertionError(graph.graph().name() + " has no node " + nodeName))
                .shape().dims();
    }

    /** A state_dict entry as "name [d0, d1, ...]", so that a mismatch shows both sides readably. */
    private static String entry(String name, Integer... shape) {
        return name + " " + List.of(shape);
    }

    private static List<String> entries(String network) {
        return entries(network, t -> true);
    }

    private static List<String> entries(String network, java.util.function.Predicate<StateDict.Tensor> which) {
        List<String> out = new ArrayList<>();
        for (StateDict.Tensor t : StateDict.tensors(net(network).graph())) {
            if (which.test(t)) out.add(entry(t.name(), t.shape().toArray(Integer[]::new)));
        }
        return out;
    }

    private static Set<String> names(String network) {
        Set<String> out = new HashSet<>();
        for (StateDict.Tensor t : StateDict.tensors(net(network).graph())) out.add(t.name());
        return out;
    }

    /**
     * name, parameters, state_dict entries (num_batches_tracked left out: conv/fc with bias 2
     * entries, conv without bias 1, BN 4).
     */
    static Stream<Arguments> references() {
        return Stream.of(
                // 2 convs + 3 fc, all with bias
                Arguments.of("lenet5", 61_706L, 10),
                // 5 convs + 3 fc
                Arguments.of("alexnet", 61_100_840L, 16),
                // 8 convs + 3 fc
                Arguments.of("vgg11", 132_863_336L, 22),
                // 13 convs + 3 fc
                Arguments.of("vgg16", 138_357_544L, 32),
                // 3 stem BasicConv2d + 9 inceptions × 6, each conv 1 + bn 4; fc 2
                Arguments.of("googlenet", 6_624_904L, 287),
                // 4 blocks × 3 convs with bias
                Arguments.of("nin", 1_992_166L, 24));
    }

    /** name, published GMACs (torchvision's model table). */
    static Stream<Arguments> publishedMacs() {
        return Stream.of(
                Arguments.of("alexnet", 0.71),
                Arguments.of("vgg11", 7.61),
                Arguments.of("vgg16", 15.47),
                Arguments.of("googlenet", 1.50));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("references")
    void countsParametersExactly(String name, long params, int tensors) {
        assertEquals(params, net(name).totalParams());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("references")
    void listsAsManyTensorsAsTheReferenceStateDict(String name, long params, int tensors) {
        List<StateDict.Tensor> all = StateDict.tensors(net(name).graph());
        assertEquals(tensors, all.size());
        Set<String> seen = new HashSet<>();
        for (StateDict.Tensor t : all) assertTrue(seen.add(t.name()), "tensor " + t.name() + " listed twice");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("references")
    void trainableTensorsAddUpToTheParameterCount(String name, long params, int tensors) {
        long trainable = StateDict.tensors(net(name).graph()).stream()
                .filter(StateDict.Tensor::trainable).mapToLong(StateDict.Tensor::elements).sum();
        assertEquals(params, trainable);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("references")
    void outputsOneScorePerClass(String name, long params, int tensors) {
        int classes = name.equals("lenet5") || name.equals("nin") ? 10 : 1000;
        assertEquals(List.of(classes), net(name).graph().outputNode().shape().dims());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("publishedMacs")
    void countsMacsWithinTwoPercentOfPublished(String name, double gmacs) {
        double actual = net(name).totalMacs() / 1e9;
        assertEquals(gmacs, actual, 0.02 * gmacs, name + " GMACs");
    }

    /**
     * LeNet-5 at 1×28×28. Parameters: conv1 6·1·25 + 6 = 156, conv2 16·6·25 + 16 = 2,416,
     * fc 400·120 + 120 = 48,120, 120·84 + 84 = 10,164, 84·10 + 10 = 850; total 61,706.
     * MACs (weights × output positions): conv1 150 × 28·28 = 117,600; conv2 2,400 × 10·10
     * = 240,000; fc 48,000 + 10,080 + 840 = 58,920; total 416,520.
     */
    @Test
    void countsLeNet5MacsAsDerivedByHand() {
        assertEquals(416_520L, net("lenet5").totalMacs());
    }

    /**
     * NiN at 1×224×224: block 1 maps to 54×54 ((224 − 11)/4 + 1, floored), the pools to 26, 12
     * and 5; blocks 2 to 4 keep their map. MACs (weights × output positions, 1×1 convs twice):
     * <pre>
     * block 1  96·121 × 2,916 = 33,872,256    + 2 × 96·96 × 2,916   = 53,747,712   87,619,968
     * block 2  256·96·25 × 676 = 415,334,400  + 2 × 256·256 × 676  = 88,604,672  503,939,072
     * block 3  384·256·9 × 144 = 127,401,984  + 2 × 384·384 × 144  = 42,467,328  169,869,312
     * block 4  10·384·9 × 25 = 864,000        + 2 × 10·10 × 25     =      5,000      869,000
     * total                                                                     762,297,352
     * </pre>
     * Parameters: 30,336 + 746,240 + 1,180,800 + 34,790 = 1,992,166 (d2l's figure).
     */
    @Test
    void countsNiNMacsAsDerivedByHand() {
        assertEquals(762_297_352L, net("nin").totalMacs());
        assertEquals(List.of(96, 54, 54), shapeOf(net("nin"), "0.4"));
        assertEquals(List.of(384, 5, 5), shapeOf(net("nin"), "5"));
        assertEquals(List.of(10, 1, 1), shapeOf(net("nin"), "8"));
    }

    @Test
    void namesLeNet5TensorsAsItsSequential() {
        assertEquals(List.of(
                entry("0.weight", 6, 1, 5, 5), entry("0.bias", 6),
                entry("3.weight", 16, 6, 5, 5), entry("3.bias", 16),
                entry("7.weight", 120, 400), entry("7.bias", 120),
                entry("9.weight", 84, 120), entry("9.bias", 84),
                entry("11.weight", 10, 84), entry("11.bias", 10)), entries("lenet5"));
    }

    @Test
    void namesAlexNetTensorsAsTorchvision() {
        assertEquals(List.of(
                entry("features.0.weight", 64, 3, 11, 11), entry("features.0.bias", 64),
                entry("features.3.weight", 192, 64, 5, 5), entry("features.3.bias", 192),
                entry("features.6.weight", 384, 192, 3, 3), entry("features.6.bias", 384),
                entry("features.8.weight", 256, 384, 3, 3), entry("features.8.bias", 256),
                entry("features.10.weight", 256, 256, 3, 3), entry("features.10.bias", 256),
                entry("classifier.1.weight", 4096, 9216), entry("classifier.1.bias", 4096),
                entry("classifier.4.weight", 4096, 4096), entry("classifier.4.bias", 4096),
                entry("classifier.6.weight", 1000, 4096), entry("classifier.6.bias", 1000)),
                entries("alexnet"));
    }

    @Test
    void namesVgg11WeightsAsTorchvision() {
        assertEquals(List.of(
                entry("features.0.weight", 64, 3, 3, 3),
                entry("features.3.weight", 128, 64, 3, 3),
                entry("features.6.weight", 256, 128, 3, 3),
                entry("features.8.weight", 256, 256, 3, 3),
                entry("features.11.weight", 512, 256, 3, 3),
                entry("features.13.weight", 512, 512, 3, 3),
                entry("features.16.weight", 512, 512, 3, 3),
                entry("features.18.weight", 512, 512, 3, 3),
                entry("classifier.0.weight", 4096, 25088),
                entry("classifier.3.weight", 4096, 4096),
                entry("classifier.6.weight", 1000, 4096)),
                entries("vgg11", t -> t.name().endsWith(".weight")));
        assertTrue(names("vgg11").contains("features.18.bias"));
        assertTrue(names("vgg11").contains("classifier.6.bias"));
    }

    @Test
    void namesVgg16WeightsAsTorchvision() {
        assertEquals(List.of(
                entry("features.0.weight", 64, 3, 3, 3),
                entry("features.2.weight", 64, 64, 3, 3),
                entry("features.5.weight", 128, 64, 3, 3),
                entry("features.7.weight", 128, 128, 3, 3),
                entry("features.10.weight", 256, 128, 3, 3),
                entry("features.12.weight", 256, 256, 3, 3),
                entry("features.14.weight", 256, 256, 3, 3),
                entry("features.17.weight", 512, 256, 3, 3),
                entry("features.19.weight", 512, 512, 3, 3),
                entry("features.21.weight", 512, 512, 3, 3),
                entry("features.24.weight", 512, 512, 3, 3),
                entry("features.26.weight", 512, 512, 3, 3),
                entry("features.28.weight", 512, 512, 3, 3),
                entry("classifier.0.weight", 4096, 25088),
                entry("classifier.3.weight", 4096, 4096),
                entry("classifier.6.weight", 1000, 4096)),
                entries("vgg16", t -> t.name().endsWith(".weight")));
        assertTrue(names("vgg16").contains("features.28.bias"));
        assertTrue(names("vgg16").contains("classifier.0.bias"));
    }

    @Test
    void namesGoogLeNetInception3aAsTorchvision() {
        List<String> expected = new ArrayList<>();
        expected.add(entry("inception3a.branch1.conv.weight", 64, 192, 1, 1));
        expected.addAll(bn("inception3a.branch1.bn", 64));
        expected.add(entry("inception3a.branch2.0.conv.weight", 96, 192, 1, 1));
        expected.addAll(bn("inception3a.branch2.0.bn", 96));
        expected.add(entry("inception3a.branch2.1.conv.weight", 128, 96, 3, 3));
        expected.addAll(bn("inception3a.branch2.1.bn", 128));
        expected.add(entry("inception3a.branch3.0.conv.weight", 16, 192, 1, 1));
        expected.addAll(bn("inception3a.branch3.0.bn", 16));
        // torchvision's "5×5" branch is a 3×3 convolution
        expected.add(entry("inception3a.branch3.1.conv.weight", 32, 16, 3, 3));
        expected.addAll(bn("inception3a.branch3.1.bn", 32));
        // branch4.0 is the max pool
        expected.add(entry("inception3a.branch4.1.conv.weight", 32, 192, 1, 1));
        expected.addAll(bn("inception3a.branch4.1.bn", 32));
        assertEquals(expected, entries("googlenet", t -> t.name().startsWith("inception3a.")));
    }

    private static List<String> bn(String name, int c) {
        return List.of(entry(name + ".weight", c), entry(name + ".bias", c),
                entry(name + ".running_mean", c), entry(name + ".running_var", c));
    }

    @Test
    void namesGoogLeNetStemAndHeadAsTorchvision() {
        List<String> all = entries("googlenet");
        for (String e : List.of(
                entry("conv1.conv.weight", 64, 3, 7, 7), entry("conv1.bn.running_var", 64),
                entry("conv2.conv.weight", 64, 64, 1, 1), entry("conv3.conv.weight", 192, 64, 3, 3),
                entry("conv3.bn.weight", 192),
                entry("inception3b.branch2.1.conv.weight", 192, 128, 3, 3),
                entry("inception4a.branch1.conv.weight", 192, 480, 1, 1),
                entry("inception4e.branch2.1.conv.weight", 320, 160, 3, 3),
                entry("inception5a.branch4.1.conv.weight", 128, 832, 1, 1),
                entry("inception5b.branch3.1.conv.weight", 128, 48, 3, 3),
                entry("inception5b.branch4.1.bn.running_mean", 128),
                entry("fc.weight", 1000, 1024), entry("fc.bias", 1000))) {
            assertTrue(all.contains(e), "googlenet should have " + e);
        }
        Set<String> names = names("googlenet");
        for (String absent : List.of("conv1.conv.bias", "inception3a.branch4.0.weight", "aux1.conv.conv.weight",
                "aux2.fc2.weight", "inception5c.branch1.conv.weight")) {
            assertFalse(names.contains(absent), "googlenet should have no " + absent);
        }
    }

    @Test
    void usesTorchvisionsBatchNormEpsilonInGoogLeNet() {
        List<Op.BatchNorm> norms = net("googlenet").graph().nodes().stream().map(Node::op)
                .filter(Op.BatchNorm.class::isInstance).map(Op.BatchNorm.class::cast).toList();
        assertEquals(57, norms.size());
        for (Op.BatchNorm b : norms) assertEquals(0.001, b.eps(), 1e-12);
    }

    @Test
    void roundsGoogLeNetPoolsUp() {
        // With floor rounding the first pool would give 55×55 and the last 6×6.
        assertEquals(List.of(64, 56, 56), shapeOf(net("googlenet"), "maxpool1"));
        assertEquals(List.of(192, 28, 28), shapeOf(net("googlenet"), "maxpool2"));
        assertEquals(List.of(480, 14, 14), shapeOf(net("googlenet"), "maxpool3"));
        assertEquals(List.of(832, 7, 7), shapeOf(net("googlenet"), "maxpool4"));
        assertEquals(List.of(1024, 1, 1), shapeOf(net("googlenet"), "avgpool"));
    }

    @Test
    void namesNiNTensorsAsD2lSequential() {
        List<String> expected = new ArrayList<>();
        int[][] blocks = {{0, 96, 1, 11}, {2, 256, 96, 5}, {4, 384, 256, 3}, {7, 10, 384, 3}};
        for (int[] b : blocks) {
            int index = b[0], c = b[1], in = b[2], k = b[3];
            expected.add(entry(index + ".0.weight", c, in, k, k));
            expected.add(entry(index + ".0.bias", c));
            expected.add(entry(index + ".2.weight", c, c, 1, 1));
            expected.add(entry(index + ".2.bias", c));
            expected.add(entry(index + ".4.weight", c, c, 1, 1));
            expected.add(entry(index + ".4.bias", c));
        }
        assertEquals(expected, entries("nin"));
    }

    /** name, reduced input side, last feature map before the adaptive/global pool, pooled map. */
    static Stream<Arguments> reduced() {
        return Stream.of(
                // 64 → conv 15 → pool 7 → pool 3 → pool 1; the adaptive pool spreads it to 6×6
                Arguments.of("alexnet", 64, "features.12", List.of(256, 1, 1), List.of(256, 6, 6)),
                // five 2×2 pools: 64 → 2
                Arguments.of("vgg11", 64, "features.20", List.of(512, 2, 2), List.of(512, 7, 7)),
                Arguments.of("vgg16", 64, "features.30", List.of(512, 2, 2), List.of(512, 7, 7)),
                // 64 → conv1 32 → 16 → 8 → 4 → 2 (pools round up)
                Arguments.of("googlenet", 64, "maxpool4", List.of(832, 2, 2), List.of(1024, 1, 1)),
                // 96 → block 1 22 → pools 10, 4, 1
                Arguments.of("nin", 96, "5", List.of(384, 1, 1), List.of(10, 1, 1)));
    }

    @ParameterizedTest(name = "{0} at {1}")
    @MethodSource("reduced")
    void elaboratesAtAReducedInputSize(String name, int size, String lastMap, List<Integer> lastShape,
                                       List<Integer> pooledShape) {
        ShapedGraph small = net(name, Map.of("size", Integer.toString(size)));
        int channels = name.equals("nin") ? 1 : 3;
        assertEquals(List.of(channels, size, size), small.graph().input().shape().dims());
        assertEquals(lastShape, shapeOf(small, lastMap));
        String pool = name.equals("nin") ? "8" : "avgpool";
        assertEquals(pooledShape, shapeOf(small, pool));
        assertEquals(List.of(name.equals("nin") ? 10 : 1000), small.graph().outputNode().shape().dims());
        // No weight depends on the input size.
        assertEquals(net(name).totalParams(), small.totalParams());
        assertTrue(small.totalMacs() < net(name).totalMacs());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("references")
    void followsTheClassesParameter(String name, long params, int tensors) {
        ShapedGraph seven = net(name, Map.of("classes", "7"));
        assertEquals(List.of(7), seven.graph().outputNode().shape().dims());
        int defaultClasses = name.equals("lenet5") || name.equals("nin") ? 10 : 1000;
        long delta = name.equals("nin")
                // the last block: 3×3 conv from 384 channels and two 1×1 convs, all with bias
                ? ninLastBlock(defaultClasses) - ninLastBlock(7)
                : (long) (defaultClasses - 7) * (lastFeatures(name) + 1);
        assertEquals(params - delta, seven.totalParams());
    }

    private static long ninLastBlock(long c) {
        return c * 384 * 9 + c + 2 * (c * c + c);
    }

    private static int lastFeatures(String name) {
        return switch (name) {
            case "lenet5" -> 84;
            case "alexnet", "vgg11", "vgg16" -> 4096;
            case "googlenet" -> 1024;
            default -> throw new IllegalArgumentException(name);
        };
    }
}
