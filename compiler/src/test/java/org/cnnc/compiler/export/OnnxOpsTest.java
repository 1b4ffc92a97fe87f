package org.cnnc.compiler.export;

import static org.cnnc.compiler.export.OnnxTesting.assertMatchesReference;

import ai.onnxruntime.OrtException;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each operator, alone in a tiny network, exported with seeded He weights and run in ONNX Runtime
 * at batch 1 and batch 3, against a plain double-precision evaluation of PyTorch's definition.
 */
class OnnxOpsTest {

    static Stream<Arguments> singleOps() {
        return Stream.of(
                op("conv 3x3 pad 1", "3x9x9", "conv(4, k=3, p=1)"),
                op("conv stride 2 pad 2 dilation 2", "3x11x11", "conv(5, k=3, s=2, p=2, d=2)"),
                op("conv 1x1 without bias", "6x5x5", "conv(4, k=1, bias=false)"),
                op("conv groups 2", "4x8x8", "conv(6, k=3, p=1, groups=2, bias=false)"),
                op("depthwise conv stride 2", "5x9x9", "dwconv(k=3, s=2, p=1)"),
                op("depthwise conv multiplier 2", "3x7x7", "dwconv(k=5, p=2, multiplier=2)"),
                op("transposed conv stride 2 output padding 1", "4x5x5", "convtranspose(3, k=3, s=2, p=1, op=1)"),
                op("transposed conv groups dilation", "4x4x4", "convtranspose(6, k=3, s=2, p=2, op=1, d=2, groups=2, bias=false)"),
                op("batch norm", "3x5x5", "bn"),
                op("batch norm eps 1e-3 on features", "12", "fc(6) -> bn(eps=1e-3)"),
                op("relu", "3x4x4", "relu"),
                op("relu6", "3x4x4", "conv(4, k=1) -> relu6"),
                op("leaky relu", "3x4x4", "leakyrelu(0.2)"),
                op("sigmoid", "3x4x4", "sigmoid"),
                op("tanh", "3x4x4", "tanh"),
                op("softmax over channels of a map", "5x3x3", "softmax"),
                op("softmax over features", "10", "softmax"),
                op("maxpool 2x2", "3x8x8", "maxpool(2)"),
                op("maxpool ceil with padding past the edge", "3x8x8", "maxpool(3, s=2, p=1, ceil=true)"),
                op("maxpool ceil dropping a window that starts in the padding", "3x5x5", "maxpool(2, s=2, p=1, ceil=true)"),
                op("avgpool padded counting padding", "3x7x7", "avgpool(3, s=1, p=1)"),
                op("avgpool ceil padded counting padding", "3x8x8", "avgpool(3, s=2, p=1, ceil=true)"),
                op("avgpool ceil padded not counting padding", "3x8x8", "avgpool(3, s=2, p=1, ceil=true, count_include_pad=false)"),
                op("avgpool ceil unpadded", "3x5x5", "avgpool(2, s=2, ceil=true)"),
                op("global average pool", "4x5x3", "globalavgpool"),
                op("adaptive average pool 5x5 to 3x3", "4x5x5", "adaptiveavgpool(3)"),
                op("adaptive average pool 1x1 to 6x6", "4x1x1", "adaptiveavgpool(6)"),
                op("adaptive average pool 6x6 to 2x2", "4x6x6", "adaptiveavgpool(2)"),
                op("adaptive average pool 7x4 to 3x4", "2x7x4", "adaptiveavgpool(3, 4)"),
                op("adaptive average pool 4x7 to 4x3", "2x4x7", "adaptiveavgpool(4, 3)"),
                op("flatten then fc", "3x4x4", "flatten -> fc(7)"),
                op("fc on a map", "3x4x4", "fc(7)"),
                op("fc without bias on features", "20", "fc(5, bias=false)"),
                op("dropout", "3x4x4", "conv(2, k=1) -> dropout(0.3)"),
                op("upsample nearest", "2x3x4", "upsample(2)"),
                op("upsample nearest 3x", "2x3x3", "upsample(3)"),
                op("upsample bilinear", "2x3x4", "upsample(2, mode=bilinear)"),
                op("upsample bilinear align corners", "2x3x4", "upsample(2, mode=bilinear, align_corners=true)"),
                op("lrn odd size", "7x3x3", "lrn(size=5, alpha=0.5, beta=0.75, k=2)"),
                op("lrn even size", "7x3x3", "lrn(size=4, alpha=0.5, beta=0.75, k=1)"),
                op("add with identity", "3x5x5", "add { conv(3, k=3, p=1) | identity }"),
                op("add of three", "3x5x5", "add { conv(3, k=3, p=1) | conv(3, k=1) | identity }"),
                op("concat", "3x5x5", "concat { conv(2, k=1) | conv(4, k=3, p=1) | identity }"),
                op("concat of features", "6", "concat { fc(3) | identity }"));
    }

    private static Arguments op(String what, String input, String chain) {
        return Arguments.of(what, "network T {\n  input " + input + "\n  " + chain + "\n}\n");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("singleOps")
    void runsInOnnxRuntimeAsPyTorchDefinesIt(String what, String network) throws OrtException {
        assertMatchesReference(network, 1, 3);
    }
}
