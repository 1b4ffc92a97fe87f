package org.cnnc.compiler.ir;

/** What a node computes. Attributes are fully resolved; the input shape comes from the graph. */
public sealed interface Op {

    /** The operator's name as the summary and JSON show it. */
    String kind();

    /** The network's input. */
    record Input() implements Op {
        public String kind() { return "input"; }
    }

    /** 2-D convolution; depthwise is {@code groups == in.c}. Padding is top/left, bottom/right symmetric. */
    record Conv(int outChannels, int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw,
                int groups, boolean bias) implements Op {
        public String kind() { return "conv"; }
    }

    /** Transposed convolution (PyTorch's ConvTranspose2d). */
    record ConvTranspose(int outChannels, int kh, int kw, int sh, int sw, int ph, int pw,
                         int outPadH, int outPadW, int dh, int dw, int groups, boolean bias) implements Op {
        public String kind() { return "convtranspose"; }
    }

    record BatchNorm(double eps) implements Op {
        public String kind() { return "bn"; }
    }

    enum ActivationKind { RELU, RELU6, LEAKY_RELU, SIGMOID, TANH }

    /** {@code alpha} is the negative slope of leaky ReLU and unused otherwise. */
    record Activation(ActivationKind function, double alpha) implements Op {
        public String kind() {
            return switch (function) {
                case RELU -> "relu";
                case RELU6 -> "relu6";
                case LEAKY_RELU -> "leakyrelu";
                case SIGMOID -> "sigmoid";
                case TANH -> "tanh";
            };
        }
    }

    /** Softmax over the features (or over the channels at each position of a map). */
    record Softmax() implements Op {
        public String kind() { return "softmax"; }
    }

    enum PoolKind { MAX, AVG }

    /** {@code countIncludePad}: average pooling divides by the whole window, padding included, as PyTorch does by default. */
    record Pool(PoolKind pool, int kh, int kw, int sh, int sw, int ph, int pw, boolean ceil,
                boolean countIncludePad) implements Op {
        public String kind() { return pool == PoolKind.MAX ? "maxpool" : "avgpool"; }
    }

    /** PyTorch's AdaptiveAvgPool2d; {@code globalavgpool} is the 1×1 case. */
    record AdaptiveAvgPool(int outH, int outW) implements Op {
        public String kind() { return outH == 1 && outW == 1 ? "globalavgpool" : "adaptiveavgpool"; }
    }

    record Flatten() implements Op {
        public String kind() { return "flatten"; }
    }

    /** Fully connected; a feature-map input is flattened in C, H, W order first. */
    record Fc(int outFeatures, boolean bias) implements Op {
        public String kind() { return "fc"; }
    }

    /** Identity at inference; it keeps its place in the names, as nn.Dropout does. */
    record Dropout(double p) implements Op {
        public String kind() { return "dropout"; }
    }

    enum UpsampleMode { NEAREST, BILINEAR }

    record Upsample(int scaleH, int scaleW, UpsampleMode mode, boolean alignCorners) implements Op {
        public String kind() { return "upsample"; }
    }

    /** Local response normalisation across channels, as PyTorch's LocalResponseNorm. */
    record Lrn(int size, double alpha, double beta, double k) implements Op {
        public String kind() { return "lrn"; }
    }

    /** Element-wise sum of equally shaped inputs. */
    record Add() implements Op {
        public String kind() { return "add"; }
    }

    /** Joins inputs along channels. */
    record Concat() implements Op {
        public String kind() { return "concat"; }
    }
}
