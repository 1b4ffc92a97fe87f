package org.cnnc.compiler.export;

import static org.cnnc.compiler.export.OnnxTesting.assertMatchesReference;
import static org.cnnc.compiler.export.WireReader.all;
import static org.cnnc.compiler.export.WireReader.one;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.cnnc.compiler.ir.Graph;
import org.cnnc.compiler.ir.Node;
import org.cnnc.compiler.shape.StateDict;
import org.cnnc.compiler.weights.Weights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Whole small networks in the shapes of the classic ones: they load, run and agree with the reference. */
class OnnxNetworksTest {

    static final String RESNET = """
            block BasicBlock(c, s = 1) =
              add { conv1: conv(c, k=3, s=s, p=1, bias=false) -> bn1: bn -> relu
                      -> conv2: conv(c, k=3, p=1, bias=false) -> bn2: bn
                  | downsample: [conv(c, k=1, s=s, bias=false) -> bn]?(s != 1 or in.c != c) }
              -> relu

            network TinyResNet(classes = 10) {
              input 3x16x16
              conv1: conv(8, k=3, p=1, bias=false) -> bn1: bn -> relu -> maxpool: maxpool(3, s=2, p=1)
              -> layer1: [BasicBlock(8)]*2 -> layer2: [BasicBlock(16, 2) -> BasicBlock(16)]
              -> avgpool: globalavgpool -> flatten -> fc: fc(classes)
            }
            """;

    static Stream<Arguments> networks() {
        return Stream.of(
                Arguments.of("residual basic blocks", RESNET),
                Arguments.of("bottleneck blocks", """
                        block Bottleneck(c, s = 1) =
                          add { conv1: conv(c, k=1, bias=false) -> bn1: bn -> relu
                                  -> conv2: conv(c, k=3, s=s, p=1, bias=false) -> bn2: bn -> relu
                                  -> conv3: conv(4*c, k=1, bias=false) -> bn3: bn
                              | downsample: [conv(4*c, k=1, s=s, bias=false) -> bn]?(s != 1 or in.c != 4*c) }
                          -> relu
                        network TinyBottleneck {
                          input 3x12x12
                          conv1: conv(8, k=3, p=1) -> relu
                          -> layer1: [Bottleneck(4) -> Bottleneck(4)] -> layer2: Bottleneck(8, 2)
                          -> globalavgpool -> fc(5)
                        }
                        """),
                Arguments.of("inverted residuals with relu6", """
                        block Body(c, t, s) = conv(in.c * t, k=1, bias=false) -> bn -> relu6
                                               -> dwconv(k=3, s=s, p=1, bias=false) -> bn -> relu6
                                               -> conv(c, k=1, bias=false) -> bn
                        block Inverted(c, t, s = 1) =
                          add { conv: Body(c, t, s) | identity }?(s == 1 and in.c == c)
                          -> conv: Body(c, t, s)?(s != 1 or in.c != c)
                        network TinyMobile {
                          input 3x16x16
                          features: [conv(8, k=3, s=2, p=1, bias=false) -> bn -> relu6
                                     -> Inverted(8, 2) -> Inverted(12, 3, 2) -> Inverted(12, 3)]
                          -> adaptiveavgpool(1) -> dropout(0.2) -> classifier: fc(4)
                        }
                        """),
                Arguments.of("dense blocks and transitions", """
                        block Layer(g) = concat { identity | [bn -> relu -> conv(2*g, k=1, bias=false)
                                                              -> bn -> relu -> conv(g, k=3, p=1, bias=false)] }
                        network TinyDense {
                          input 3x16x16
                          conv0: conv(8, k=3, p=1) -> block1: [Layer(4)]*3
                          -> transition: [bn -> relu -> conv(10, k=1) -> avgpool(2)]
                          -> block2: [Layer(4)]*2 -> bn -> relu -> adaptiveavgpool(1) -> fc(3)
                        }
                        """),
                Arguments.of("inception branches with ceil pools", """
                        network TinyInception {
                          input 3x15x15
                          conv(8, k=3, s=2, bias=false) -> bn(eps=1e-3) -> relu -> maxpool(3, s=2, ceil=true)
                          -> concat { conv(4, k=1) -> relu
                                    | conv(3, k=1) -> relu -> conv(5, k=3, p=1) -> relu
                                    | maxpool(3, s=1, p=1, ceil=true) -> conv(2, k=1) -> relu }
                          -> maxpool(3, s=2, ceil=true) -> adaptiveavgpool(1) -> flatten -> dropout -> fc(6)
                        }
                        """),
                Arguments.of("alexnet-like with lrn and adaptive pooling", """
                        network TinyAlex {
                          input 3x31x31
                          features: [conv(8, k=5, s=2, p=2) -> relu -> lrn(size=5, alpha=1e-4, beta=0.75, k=2)
                                     -> maxpool(3, s=2) -> conv(12, k=3, p=1) -> relu -> maxpool(3, s=2)]
                          -> avgpool: adaptiveavgpool(5)
                          -> classifier: [dropout -> fc(16) -> relu -> dropout -> fc(10)] -> softmax
                        }
                        """),
                Arguments.of("the cs231n line", """
                        network Cs231n(N = 2, M = 3, K = 1) {
                          input 3x8x8
                          INPUT -> [[CONV -> RELU]*N -> POOL?]*M -> [FC -> RELU]*K -> FC
                        }
                        """),
                Arguments.of("lenet-5", """
                        network LeNet5 {
                          input 1x28x28
                          conv(6, k=5, p=2) -> sigmoid -> avgpool(2)
                          -> conv(16, k=5) -> sigmoid -> avgpool(2)
                          -> flatten -> fc(120) -> sigmoid -> fc(84) -> sigmoid -> fc(10)
                        }
                        """),
                Arguments.of("encoder-decoder with transposed conv and upsampling", """
                        network TinyUNet {
                          input 2x8x8
                          stem: conv(4, k=3, p=1) -> leakyrelu(0.1)
                          -> concat { identity
                                    | [maxpool(2) -> conv(6, k=3, p=1) -> tanh -> convtranspose(4, k=2, s=2)]
                                    | [avgpool(2) -> conv(3, k=1) -> upsample(2, mode=bilinear)] }
                          -> upsample(2) -> conv(1, k=1) -> sigmoid
                        }
                        """),
                Arguments.of("a vector input", """
                        network Mlp {
                          input 20
                          fc(16) -> relu -> dropout -> fc(16) -> bn -> tanh -> fc(4) -> softmax
                        }
                        """));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("networks")
    void loadsAndAgreesWithTheReference(String what, String network) throws OrtException {
        assertMatchesReference(network, 1, 3);
    }

    @Test
    void declaresASymbolicBatchAndTheNetworkShapes() throws OrtException {
        Graph graph = OnnxTesting.compile(RESNET);
        try (OrtSession session = OnnxTesting.session(OnnxTesting.export(graph, Weights.heInit(graph, 1)))) {
            assertEquals(Set.of(OnnxExport.INPUT), session.getInputNames());
            assertEquals(Set.of(OnnxExport.OUTPUT), session.getOutputNames());
            TensorInfo in = (TensorInfo) session.getInputInfo().get(OnnxExport.INPUT).getInfo();
            TensorInfo out = (TensorInfo) session.getOutputInfo().get(OnnxExport.OUTPUT).getInfo();
            assertEquals(List.of(-1L, 3L, 16L, 16L), boxed(in.getShape()));
            assertEquals(List.of(-1L, 10L), boxed(out.getShape()));
            assertEquals(OnnxExport.BATCH, in.getDimensionNames()[0]);
        }
    }

    @Test
    void writesTheModelHeaderNodeNamesAndStateDictInitializers() {
        Graph graph = OnnxTesting.compile(RESNET);
        Weights weights = Weights.heInit(graph, 7);
        List<WireReader.Field> model = WireReader.parse(OnnxTesting.export(graph, weights));
        assertEquals(8, one(model, 1).value(), "ir_version");
        List<WireReader.Field> opset = one(model, 8).message();
        assertTrue(all(opset, 1).isEmpty() || one(opset, 1).string().isEmpty(), "default domain");
        assertEquals(17, one(opset, 2).value(), "opset version");
        assertEquals("cnnc", one(model, 2).string());
        assertTrue(one(model, 6).string().startsWith("network TinyResNet(classes=10), input 3×16×16"),
                one(model, 6).string());

        List<WireReader.Field> g = one(model, 7).message();
        assertEquals("TinyResNet", one(g, 2).string());
        List<String> initializers = new ArrayList<>();
        for (WireReader.Field t : all(g, 5)) {
            List<WireReader.Field> tensor = t.message();
            String name = one(tensor, 8).string();
            initializers.add(name);
            float[] expected = weights.all().get(name);
            if (expected != null) {
                byte[] raw = one(tensor, 9).bytes();
                assertEquals(4 * expected.length, raw.length, name);
                java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(raw).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                for (float f : expected) assertEquals(f, bb.getFloat(), name);
            }
        }
        List<String> stateDict = StateDict.tensors(graph).stream().map(StateDict.Tensor::name).toList();
        assertEquals(stateDict, initializers.subList(0, stateDict.size()));
        assertTrue(initializers.contains("layer2.0.downsample.0.weight"));

        Set<String> nodeNames = all(g, 1).stream().map(n -> one(n.message(), 3).string()).collect(Collectors.toSet());
        assertEquals(all(g, 1).size(), nodeNames.size(), "node names are unique");
        for (Node n : graph.nodes()) {
            if (n.named()) assertTrue(nodeNames.contains(n.name()), "an ONNX node named " + n.name());
        }
        List<String> opTypes = all(g, 1).stream().map(n -> one(n.message(), 4).string()).toList();
        assertTrue(opTypes.containsAll(List.of("Conv", "BatchNormalization", "Relu", "MaxPool", "Add",
                "GlobalAveragePool", "Flatten", "Gemm")), opTypes.toString());
    }

    @Test
    void exportsANetworkThatIsOnlyItsInput() throws OrtException {
        assertMatchesReference("network Id {\n  input 3x4x4\n  identity\n}\n", 2);
    }

    private static List<Long> boxed(long[] a) {
        return java.util.Arrays.stream(a).boxed().toList();
    }
}
