package org.cnnc.stdlib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.LinkedHashMap;
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
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The residual, dense and mobile networks of the stdlib against their published figures
 * (torchvision's model table where torchvision has the network) and against the names and
 * shapes of the tensors in the reference state_dict.
 */
class ResidualAndMobileNetworksTest {

    /** Each network is compiled once per parameter set and shared by the tests below. */
    private static final Map<String, ShapedGraph> COMPILED = new ConcurrentHashMap<>();

    private static ShapedGraph net(String name) {
        return net(name, Map.of());
    }

    private static ShapedGraph net(String name, Map<String, String> overrides) {
        return COMPILED.computeIfAbsent(name + overrides,
                key -> Pipeline.shaped(Pipeline.source(name), null, overrides));
    }

    private static Map<String, List<Integer>> tensors(String name) {
        Map<String, List<Integer>> byName = new LinkedHashMap<>();
        for (StateDict.Tensor t : StateDict.tensors(net(name).graph())) byName.put(t.name(), t.shape());
        return byName;
    }

    private static Node node(String network, String nodeName) {
        return net(network).graph().nodes().stream().filter(n -> n.name().equals(nodeName)).findFirst()
                .orElseThrow(() -> new AssertionError(network + " has no node " + nodeName));
    }

    private static void assertTensor(String network, String tensor, Integer... shape) {
        List<Integer> actual = tensors(network).get(tensor);
        assertNotNull(actual, network + " has no tensor " + tensor);
        assertEquals(List.of(shape), actual, network + " " + tensor);
    }

    private static void assertNoTensor(String network, String tensor) {
        assertFalse(tensors(network).containsKey(tensor), network + " should have no tensor " + tensor);
    }

    /**
     * name, parameters, published GMACs, state_dict entries other than num_batches_tracked.
     * Figures: torchvision's model table; MobileNet v1 from the design's reference (width 1.0,
     * 224, with BN); the CIFAR ResNet has no published MACs, so its own exact count (derived by
     * hand in {@link #countsCifarResNetParametersAndMacsAsDerivedByHand}) stands in.
     * State_dict sizes: conv 1 entry (no bias), fc 2, BN 4.
     */
    static Stream<Arguments> published() {
        return Stream.of(
                // conv1+bn1 5, 8 blocks × 10, 3 downsamples × 5, fc 2
                Arguments.of("resnet18", 11_689_512L, 1.81, 102),
                // 5 + 16 × 10 + 3 × 5 + 2
                Arguments.of("resnet34", 21_797_672L, 3.66, 182),
                // 5 + 16 bottlenecks × 15 + 4 × 5 + 2
                Arguments.of("resnet50", 25_557_032L, 4.09, 267),
                // 5 + 33 × 15 + 4 × 5 + 2
                Arguments.of("resnet101", 44_549_160L, 7.80, 522),
                // conv0+norm0 5, 58 dense layers × 10, 3 transitions × 5, norm5 4, classifier 2
                Arguments.of("densenet121", 7_978_856L, 2.83, 606),
                // features.0 5, features.1 10, 16 blocks × 15, features.18 5, classifier.1 2
                Arguments.of("mobilenet_v2", 3_504_872L, 0.30, 262),
                // conv1+bn1 5, 13 blocks × 10, fc 2
                Arguments.of("mobilenet_v1", 4_231_976L, 0.569, 137),
                // conv+bn 5, 6 blocks × 10, 2 downsamples × 5, fc 2
                Arguments.of("cifar_resnet", 195_738L, 0.02875456, 77));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("published")
    void countsParametersExactly(String name, long params, double gmacs, int tensors) {
        assertEquals(params, net(name).totalParams());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("published")
    void countsMacsWithinTwoPercentOfPublished(String name, long params, double gmacs, int tensors) {
        double actual = net(name).totalMacs() / 1e9;
        assertEquals(gmacs, actual, 0.02 * gmacs, name + " GMACs");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("published")
    void listsAsManyTensorsAsTheReferenceStateDict(String name, long params, double gmacs, int tensors) {
        List<StateDict.Tensor> all = StateDict.tensors(net(name).graph());
        assertEquals(tensors, all.size());
        Set<String> names = new HashSet<>();
        for (StateDict.Tensor t : all) assertTrue(names.add(t.name()), "tensor " + t.name() + " listed twice");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("published")
    void trainableTensorsAddUpToTheParameterCount(String name, long params, double gmacs, int tensors) {
        long trainable = StateDict.tensors(net(name).graph()).stream()
                .filter(StateDict.Tensor::trainable).mapToLong(StateDict.Tensor::elements).sum();
        assertEquals(params, trainable);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("published")
    void outputsOneScorePerClass(String name, long params, double gmacs, int tensors) {
        int classes = name.equals("cifar_resnet") ? 10 : 1000;
        assertEquals(List.of(classes), net(name).graph().outputNode().shape().dims());
    }

    @ParameterizedTest
    @ValueSource(strings = {"resnet18", "resnet34", "resnet50", "resnet101", "densenet121", "mobilenet_v1",
            "mobilenet_v2"})
    void elaboratesAtAReducedInputSize(String name) {
        ShapedGraph small = net(name, Map.of("size", "64", "classes", "10"));
        assertEquals(List.of(3, 64, 64), small.graph().input().shape().dims());
        assertEquals(List.of(10), small.graph().outputNode().shape().dims());
        // Only the classifier depends on the number of classes, and no weight on the input size.
        long classifierDelta = (long) (1000 - 10) * (lastFeatures(name) + 1);
        assertEquals(net(name).totalParams() - classifierDelta, small.totalParams());
    }

    private static long lastFeatures(String name) {
        return switch (name) {
            case "resnet18", "resnet34" -> 512;
            case "resnet50", "resnet101" -> 2048;
            case "densenet121", "mobilenet_v1" -> 1024;
            case "mobilenet_v2" -> 1280;
            default -> throw new IllegalArgumentException(name);
        };
    }

    @Test
    void namesResNet18TensorsAsTorchvision() {
        assertTensor("resnet18", "conv1.weight", 64, 3, 7, 7);
        assertTensor("resnet18", "bn1.running_mean", 64);
        assertTensor("resnet18", "layer1.0.conv1.weight", 64, 64, 3, 3);
        assertTensor("resnet18", "layer1.1.bn2.bias", 64);
        assertTensor("resnet18", "layer2.0.conv1.weight", 128, 64, 3, 3);
        assertTensor("resnet18", "layer2.0.downsample.0.weight", 128, 64, 1, 1);
        assertTensor("resnet18", "layer2.0.downsample.1.running_var", 128);
        assertTensor("resnet18", "layer4.1.conv2.weight", 512, 512, 3, 3);
        assertTensor("resnet18", "fc.weight", 1000, 512);
        assertTensor("resnet18", "fc.bias", 1000);
        assertNoTensor("resnet18", "layer1.0.downsample.0.weight");
        assertNoTensor("resnet18", "layer1.0.conv1.bias");
        assertNoTensor("resnet18", "layer1.2.conv1.weight");
    }

    @Test
    void namesResNet34TensorsAsTorchvision() {
        assertTensor("resnet34", "layer1.2.conv2.weight", 64, 64, 3, 3);
        assertTensor("resnet34", "layer2.3.bn1.weight", 128);
        assertTensor("resnet34", "layer3.0.downsample.0.weight", 256, 128, 1, 1);
        assertTensor("resnet34", "layer3.5.conv2.weight", 256, 256, 3, 3);
        assertTensor("resnet34", "layer4.2.bn2.running_var", 512);
        assertTensor("resnet34", "fc.weight", 1000, 512);
        assertNoTensor("resnet34", "layer3.6.conv1.weight");
        assertNoTensor("resnet34", "layer2.1.downsample.0.weight");
    }

    @Test
    void namesResNet50TensorsAsTorchvision() {
        assertTensor("resnet50", "layer1.0.downsample.0.weight", 256, 64, 1, 1);
        assertTensor("resnet50", "layer1.0.conv3.weight", 256, 64, 1, 1);
        assertTensor("resnet50", "layer2.0.conv1.weight", 128, 256, 1, 1);
        assertTensor("resnet50", "layer3.5.bn3.weight", 1024);
        assertTensor("resnet50", "layer4.2.bn3.running_var", 2048);
        assertTensor("resnet50", "fc.weight", 1000, 2048);
        assertNoTensor("resnet50", "layer1.1.downsample.0.weight");
    }

    @Test
    void stridesResNet50BottlenecksOnTheThreeByThreeConvolution() {
        // ResNet v1.5, as torchvision: conv1 (1×1) keeps the 56×56 map, conv2 (3×3) halves it.
        assertEquals(List.of(128, 56, 56), node("resnet50", "layer2.0.conv1").shape().dims());
        assertEquals(List.of(128, 28, 28), node("resnet50", "layer2.0.conv2").shape().dims());
        assertEquals(List.of(512, 28, 28), node("resnet50", "layer2.0.downsample.0").shape().dims());
    }

    @Test
    void namesResNet101TensorsAsTorchvision() {
        assertTensor("resnet101", "layer3.0.downsample.0.weight", 1024, 512, 1, 1);
        assertTensor("resnet101", "layer3.22.conv3.weight", 1024, 256, 1, 1);
        assertTensor("resnet101", "layer3.22.bn3.running_mean", 1024);
        assertTensor("resnet101", "layer4.2.conv2.weight", 512, 512, 3, 3);
        assertTensor("resnet101", "fc.weight", 1000, 2048);
        assertNoTensor("resnet101", "layer3.23.conv1.weight");
    }

    @Test
    void namesDenseNet121TensorsAsTorchvision() {
        assertTensor("densenet121", "features.conv0.weight", 64, 3, 7, 7);
        assertTensor("densenet121", "features.norm0.running_var", 64);
        assertTensor("densenet121", "features.denseblock1.denselayer1.norm1.weight", 64);
        assertTensor("densenet121", "features.denseblock1.denselayer1.conv1.weight", 128, 64, 1, 1);
        assertTensor("densenet121", "features.denseblock1.denselayer1.norm2.running_mean", 128);
        assertTensor("densenet121", "features.denseblock1.denselayer1.conv2.weight", 32, 128, 3, 3);
        assertTensor("densenet121", "features.denseblock1.denselayer6.conv1.weight", 128, 64 + 5 * 32, 1, 1);
        assertTensor("densenet121", "features.transition1.norm.weight", 256);
        assertTensor("densenet121", "features.transition1.conv.weight", 128, 256, 1, 1);
        assertTensor("densenet121", "features.denseblock2.denselayer12.norm1.bias", 128 + 11 * 32);
        assertTensor("densenet121", "features.transition2.conv.weight", 256, 512, 1, 1);
        assertTensor("densenet121", "features.denseblock3.denselayer24.conv1.weight", 128, 256 + 23 * 32, 1, 1);
        assertTensor("densenet121", "features.transition3.conv.weight", 512, 1024, 1, 1);
        assertTensor("densenet121", "features.denseblock4.denselayer16.norm1.weight", 512 + 15 * 32);
        assertTensor("densenet121", "features.norm5.weight", 1024);
        assertTensor("densenet121", "classifier.weight", 1000, 1024);
        assertTensor("densenet121", "classifier.bias", 1000);
        assertNoTensor("densenet121", "features.denseblock1.denselayer7.norm1.weight");
        assertNoTensor("densenet121", "features.denseblock1.denselayer0.norm1.weight");
        assertNoTensor("densenet121", "features.transition4.conv.weight");
    }

    @Test
    void halvesDenseNet121ChannelsAndMapsInTransitions() {
        assertEquals(List.of(256, 56, 56), node("densenet121", "features.transition1.norm").shape().dims());
        assertEquals(List.of(128, 56, 56), node("densenet121", "features.transition1.conv").shape().dims());
        assertEquals(List.of(128, 28, 28), node("densenet121", "features.transition1.pool").shape().dims());
        assertEquals(List.of(1024, 7, 7), node("densenet121", "features.norm5").shape().dims());
    }

    @Test
    void namesMobileNetV2TensorsAsTorchvision() {
        assertTensor("mobilenet_v2", "features.0.0.weight", 32, 3, 3, 3);
        assertTensor("mobilenet_v2", "features.0.1.weight", 32);
        // expand ratio 1: no expansion, so depthwise conv.0, projection conv.1, its BN conv.2
        assertTensor("mobilenet_v2", "features.1.conv.0.0.weight", 32, 1, 3, 3);
        assertTensor("mobilenet_v2", "features.1.conv.0.1.running_var", 32);
        assertTensor("mobilenet_v2", "features.1.conv.1.weight", 16, 32, 1, 1);
        assertTensor("mobilenet_v2", "features.1.conv.2.weight", 16);
        assertNoTensor("mobilenet_v2", "features.1.conv.3.weight");
        // expand ratio 6: expansion conv.0, depthwise conv.1, projection conv.2, its BN conv.3
        assertTensor("mobilenet_v2", "features.2.conv.0.0.weight", 96, 16, 1, 1);
        assertTensor("mobilenet_v2", "features.2.conv.1.0.weight", 96, 1, 3, 3);
        assertTensor("mobilenet_v2", "features.2.conv.2.weight", 24, 96, 1, 1);
        assertTensor("mobilenet_v2", "features.2.conv.3.weight", 24);
        assertTensor("mobilenet_v2", "features.2.conv.3.running_mean", 24);
        assertTensor("mobilenet_v2", "features.17.conv.2.weight", 320, 960, 1, 1);
        assertTensor("mobilenet_v2", "features.18.0.weight", 1280, 320, 1, 1);
        assertTensor("mobilenet_v2", "features.18.1.bias", 1280);
        assertTensor("mobilenet_v2", "classifier.1.weight", 1000, 1280);
        assertTensor("mobilenet_v2", "classifier.1.bias", 1000);
        assertNoTensor("mobilenet_v2", "features.19.0.weight");
    }

    @Test
    void addsMobileNetV2ResidualsOnlyWhereStrideAndWidthAreKept() {
        List<String> adds = net("mobilenet_v2").graph().nodes().stream()
                .filter(n -> n.op() instanceof Op.Add).map(Node::name).toList();
        List<String> expected = Stream.of(3, 5, 6, 8, 9, 10, 12, 13, 15, 16)
                .map(i -> "features." + i + ".add").toList();
        assertEquals(expected, adds);
    }

    @Test
    void namesMobileNetV1TensorsClearly() {
        assertTensor("mobilenet_v1", "conv1.weight", 32, 3, 3, 3);
        assertTensor("mobilenet_v1", "bn1.weight", 32);
        assertTensor("mobilenet_v1", "blocks.0.depthwise.weight", 32, 1, 3, 3);
        assertTensor("mobilenet_v1", "blocks.0.bn1.running_mean", 32);
        assertTensor("mobilenet_v1", "blocks.0.pointwise.weight", 64, 32, 1, 1);
        assertTensor("mobilenet_v1", "blocks.0.bn2.weight", 64);
        assertTensor("mobilenet_v1", "blocks.12.pointwise.weight", 1024, 1024, 1, 1);
        assertTensor("mobilenet_v1", "blocks.12.bn2.running_var", 1024);
        assertTensor("mobilenet_v1", "fc.weight", 1000, 1024);
        assertNoTensor("mobilenet_v1", "blocks.13.depthwise.weight");
        assertEquals(List.of(1024, 7, 7), node("mobilenet_v1", "blocks.12.pointwise").shape().dims());
    }

    /**
     * Parameters (conv 3×3 without bias: 9·in·out; BN: 2·c):
     * <pre>
     * stem      conv 3→16 432, bn 32                                               =     464
     * layer1    2 blocks × (2 convs 16→16 2,304 + 2 bn 32)          2 × 4,672      =   9,344
     * layer2.0  conv1 16→32 4,608 + conv2 32→32 9,216 + downsample 16→32 4,608
     *           + 3 bn × 64                                                        =  18,624
     * layer2.1  2 × 9,216 + 2 × 64                                                 =  18,560
     * layer3.0  conv1 32→64 18,432 + conv2 64→64 36,864 + downsample 18,432
     *           + 3 bn × 128                                                       =  74,112
     * layer3.1  2 × 36,864 + 2 × 128                                               =  73,984
     * fc        64 × 10 + 10                                                       =     650
     * total                                                                          195,738
     * </pre>
     * MACs (weights × output positions): stem 432 × 1,024 = 442,368; each stage's convs
     * come to 4 × 2,304 × 1,024 = 9,437,184 (layer1), 2 × 4,608 × 256 + 3 × 9,216 × 256
     * = 9,437,184 (layer2) and 2 × 18,432 × 64 + 3 × 36,864 × 64 = 9,437,184 (layer3);
     * fc 640. Total 442,368 + 3 × 9,437,184 + 640 = 28,754,560.
     */
    @Test
    void countsCifarResNetParametersAndMacsAsDerivedByHand() {
        assertEquals(195_738L, net("cifar_resnet").totalParams());
        assertEquals(28_754_560L, net("cifar_resnet").totalMacs());
    }

    @Test
    void namesCifarResNetTensorsAsTheTutorial() {
        assertTensor("cifar_resnet", "conv.weight", 16, 3, 3, 3);
        assertTensor("cifar_resnet", "bn.running_var", 16);
        assertTensor("cifar_resnet", "layer1.1.conv2.weight", 16, 16, 3, 3);
        assertTensor("cifar_resnet", "layer2.0.conv1.weight", 32, 16, 3, 3);
        assertTensor("cifar_resnet", "layer2.0.downsample.0.weight", 32, 16, 3, 3);
        assertTensor("cifar_resnet", "layer2.0.downsample.1.weight", 32);
        assertTensor("cifar_resnet", "layer3.0.downsample.1.running_mean", 64);
        assertTensor("cifar_resnet", "layer3.1.bn2.weight", 64);
        assertTensor("cifar_resnet", "fc.weight", 10, 64);
        assertNoTensor("cifar_resnet", "layer1.0.downsample.0.weight");
        assertNoTensor("cifar_resnet", "layer3.1.downsample.0.weight");
        assertEquals(List.of(64, 8, 8), node("cifar_resnet", "layer3.1.bn2").shape().dims());
        assertEquals(List.of(64, 1, 1), node("cifar_resnet", "avg_pool").shape().dims());
    }
}
