package org.cnnc.compiler;

/** The example networks of DESIGN.md, as written there, for tests that parse and elaborate them. */
public final class DesignExamples {
    private DesignExamples() {}

    public static final String LENET5 = """
            network LeNet5 {
              input 1x28x28                                   // C x H x W; batch is chosen at run time
              conv(6, k=5, p=2) -> sigmoid -> avgpool(2)
              -> conv(16, k=5) -> sigmoid -> avgpool(2)
              -> flatten -> fc(120) -> sigmoid -> fc(84) -> sigmoid -> fc(10)
            }
            """;

    public static final String VGGISH = """
            network Vggish(N = 2, M = 3, width = 32) {           // parameters, overridable: cnnc build -P N=3
              input 3x32x32
              [[conv(width, k=3, p=same) -> relu]*N -> maxpool?]*M -> fc(10) -> softmax
            }
            """;

    public static final String RESNET50 = """
            block Bottleneck(c, s = 1) =
              add { conv1: conv(c, k=1, bias=false) -> bn1: bn -> relu
                      -> conv2: conv(c, k=3, s=s, p=1, bias=false) -> bn2: bn -> relu
                      -> conv3: conv(4*c, k=1, bias=false) -> bn3: bn
                  | downsample: [conv(4*c, k=1, s=s, bias=false) -> bn]?(s != 1 or in.c != 4*c) }
              -> relu

            block Stage(c, n, s) = Bottleneck(c, s) -> [Bottleneck(c)]*(n - 1)

            network ResNet50(classes = 1000) {
              input 3x224x224
              conv1: conv(64, k=7, s=2, p=3, bias=false) -> bn1: bn -> relu -> maxpool(3, s=2, p=1)
              -> layer1: Stage(64, 3, 1) -> layer2: Stage(128, 4, 2)
              -> layer3: Stage(256, 6, 2) -> layer4: Stage(512, 3, 2)
              -> globalavgpool -> flatten -> fc: fc(classes)
            }
            """;
}
