package org.cnnc.compiler.export;

import java.util.ArrayList;
import java.util.List;
import org.cnnc.compiler.ir.Graph;
import org.cnnc.compiler.ir.Node;
import org.cnnc.compiler.ir.Op;
import org.cnnc.compiler.ir.Shape;
import org.cnnc.compiler.weights.Weights;

/**
 * A plain, loop-by-loop evaluation of a graph in double precision, written from PyTorch's
 * definitions of each layer (independently of the exporter), to check what ONNX Runtime computes.
 */
final class Reference {
    private Reference() {}

    /** The network's output for {@code batch} samples laid out one after another. */
    static double[] run(Graph graph, Weights weights, float[] input, int batch) {
        int inElements = (int) graph.input().shape().elements();
        int outElements = (int) graph.outputNode().shape().elements();
        double[] result = new double[batch * outElements];
        for (int b = 0; b < batch; b++) {
            double[][] values = new double[graph.nodes().size()][];
            double[] x = new double[inElements];
            for (int i = 0; i < inElements; i++) x[i] = input[b * inElements + i];
            values[0] = x;
            for (Node n : graph.nodes()) {
                if (n.id() == 0) continue;
                List<double[]> ins = new ArrayList<>();
                for (int i : n.inputs()) ins.add(values[i]);
                values[n.id()] = eval(graph, n, ins, weights);
            }
            System.arraycopy(values[graph.output()], 0, result, b * outElements, outElements);
        }
        return result;
    }

    private static double[] eval(Graph graph, Node n, List<double[]> ins, Weights w) {
        double[] x = ins.get(0);
        Shape inShape = graph.node(n.inputs().get(0)).shape();
        String p = n.name() + ".";
        return switch (n.op()) {
            case Op.Input i -> throw new IllegalStateException();
            case Op.Conv c -> conv(c, x, (Shape.Map) inShape, (Shape.Map) n.shape(), w.get(p + "weight"),
                    c.bias() ? w.get(p + "bias") : null);
            case Op.ConvTranspose t -> convTranspose(t, x, (Shape.Map) inShape, (Shape.Map) n.shape(),
                    w.get(p + "weight"), t.bias() ? w.get(p + "bias") : null);
            case Op.BatchNorm b -> batchNorm(b, x, inShape, w.get(p + "weight"), w.get(p + "bias"),
                    w.get(p + "running_mean"), w.get(p + "running_var"));
            case Op.Activation a -> {
                double[] y = new double[x.length];
                for (int i = 0; i < x.length; i++) {
                    double v = x[i];
                    y[i] = switch (a.function()) {
                        case RELU -> Math.max(v, 0);
                        case RELU6 -> Math.min(Math.max(v, 0), 6);
                        case LEAKY_RELU -> v >= 0 ? v : a.alpha() * v;
                        case SIGMOID -> 1 / (1 + Math.exp(-v));
                        case TANH -> Math.tanh(v);
                    };
                }
                yield y;
            }
            case Op.Softmax s -> softmax(x, inShape);
            case Op.Pool pool -> pool(pool, x, (Shape.Map) inShape, (Shape.Map) n.shape());
            case Op.AdaptiveAvgPool a -> adaptive(x, (Shape.Map) inShape, a.outH(), a.outW());
            case Op.Flatten f -> x.clone();
            case Op.Dropout d -> x.clone();
            case Op.Fc f -> fc(x, f.outFeatures(), w.get(p + "weight"), f.bias() ? w.get(p + "bias") : null);
            case Op.Upsample u -> upsample(u, x, (Shape.Map) inShape, (Shape.Map) n.shape());
            case Op.Lrn l -> lrn(l, x, (Shape.Map) inShape);
            case Op.Add a -> {
                double[] y = new double[x.length];
                for (double[] in : ins) for (int i = 0; i < y.length; i++) y[i] += in[i];
                yield y;
            }
            case Op.Concat c -> {
                double[] y = new double[(int) n.shape().elements()];
                int at = 0;
                for (double[] in : ins) {
                    System.arraycopy(in, 0, y, at, in.length);
                    at += in.length;
                }
                yield y;
            }
        };
    }

    private static double[] conv(Op.Conv c, double[] x, Shape.Map in, Shape.Map out, float[] wt, float[] bias) {
        int icg = in.c() / c.groups();
        int ocg = c.outChannels() / c.groups();
        double[] y = new double[(int) out.elements()];
        for (int o = 0; o < out.c(); o++) {
            int g = o / ocg;
            for (int oy = 0; oy < out.h(); oy++) {
                for (int ox = 0; ox < out.w(); ox++) {
                    double s = bias == null ? 0 : bias[o];
                    for (int ci = 0; ci < icg; ci++) {
                        for (int ky = 0; ky < c.kh(); ky++) {
                            int iy = oy * c.sh() - c.ph() + ky * c.dh();
                            if (iy < 0 || iy >= in.h()) continue;
                            for (int kx = 0; kx < c.kw(); kx++) {
                                int ix = ox * c.sw() - c.pw() + kx * c.dw();
                                if (ix < 0 || ix >= in.w()) continue;
                                s += x[((g * icg + ci) * in.h() + iy) * in.w() + ix]
                                        * (double) wt[((o * icg + ci) * c.kh() + ky) * c.kw() + kx];
                            }
                        }
                    }
                    y[(o * out.h() + oy) * out.w() + ox] = s;
                }
            }
        }
        return y;
    }

    /** Every input value scattered through the kernel: the adjoint of the convolution (weight [I, O/g, kH, kW]). */
    private static double[] convTranspose(Op.ConvTranspose t, double[] x, Shape.Map in, Shape.Map out,
                                          float[] wt, float[] bias) {
        int icg = in.c() / t.groups();
        int ocg = t.outChannels() / t.groups();
        double[] y = new double[(int) out.elements()];
        for (int o = 0; o < out.c(); o++) {
            for (int i = 0; i < out.h() * out.w(); i++) y[o * out.h() * out.w() + i] = bias == null ? 0 : bias[o];
        }
        for (int ci = 0; ci < in.c(); ci++) {
            int g = ci / icg;
            for (int iy = 0; iy < in.h(); iy++) {
                for (int ix = 0; ix < in.w(); ix++) {
                    double v = x[(ci * in.h() + iy) * in.w() + ix];
                    for (int oc = 0; oc < ocg; oc++) {
                        for (int ky = 0; ky < t.kh(); ky++) {
                            int oy = iy * t.sh() - t.ph() + ky * t.dh();
                            if (oy < 0 || oy >= out.h()) continue;
                            for (int kx = 0; kx < t.kw(); kx++) {
                                int ox = ix * t.sw() - t.pw() + kx * t.dw();
                                if (ox < 0 || ox >= out.w()) continue;
                                y[((g * ocg + oc) * out.h() + oy) * out.w() + ox] +=
                                        v * wt[((ci * ocg + oc) * t.kh() + ky) * t.kw() + kx];
                            }
                        }
                    }
                }
            }
        }
        return y;
    }

    private static double[] batchNorm(Op.BatchNorm b, double[] x, Shape in, float[] gamma, float[] beta,
                                      float[] mean, float[] var) {
        int c = in.channels();
        int spatial = x.length / c;
        double[] y = new double[x.length];
        for (int ch = 0; ch < c; ch++) {
            double scale = gamma[ch] / Math.sqrt(var[ch] + b.eps());
            for (int i = 0; i < spatial; i++) {
                int at = ch * spatial + i;
                y[at] = (x[at] - mean[ch]) * scale + beta[ch];
            }
        }
        return y;
    }

    private static double[] softmax(double[] x, Shape in) {
        int c = in.channels();
        int spatial = x.length / c;
        double[] y = new double[x.length];
        for (int s = 0; s < spatial; s++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int ch = 0; ch < c; ch++) max = Math.max(max, x[ch * spatial + s]);
            double sum = 0;
            for (int ch = 0; ch < c; ch++) sum += Math.exp(x[ch * spatial + s] - max);
            for (int ch = 0; ch < c; ch++) y[ch * spatial + s] = Math.exp(x[ch * spatial + s] - max) / sum;
        }
        return y;
    }

    /** PyTorch's max_pool2d and avg_pool2d: the divisor counts padding up to the padded edge, never past it. */
    private static double[] pool(Op.Pool p, double[] x, Shape.Map in, Shape.Map out) {
        double[] y = new double[(int) out.elements()];
        for (int c = 0; c < out.c(); c++) {
            for (int oy = 0; oy < out.h(); oy++) {
                for (int ox = 0; ox < out.w(); ox++) {
                    int y0 = oy * p.sh() - p.ph(), x0 = ox * p.sw() - p.pw();
                    int y1 = Math.min(y0 + p.kh(), in.h() + p.ph()), x1 = Math.min(x0 + p.kw(), in.w() + p.pw());
                    int poolSize = (y1 - y0) * (x1 - x0);
                    y0 = Math.max(y0, 0);
                    x0 = Math.max(x0, 0);
                    y1 = Math.min(y1, in.h());
                    x1 = Math.min(x1, in.w());
                    double max = Double.NEGATIVE_INFINITY, sum = 0;
                    for (int iy = y0; iy < y1; iy++) {
                        for (int ix = x0; ix < x1; ix++) {
                            double v = x[(c * in.h() + iy) * in.w() + ix];
                            max = Math.max(max, v);
                            sum += v;
                        }
                    }
                    double r;
                    if (p.pool() == Op.PoolKind.MAX) r = max;
                    else r = sum / (p.countIncludePad() ? poolSize : (y1 - y0) * (x1 - x0));
                    y[(c * out.h() + oy) * out.w() + ox] = r;
                }
            }
        }
        return y;
    }

    private static double[] adaptive(double[] x, Shape.Map in, int oh, int ow) {
        double[] y = new double[in.c() * oh * ow];
        for (int c = 0; c < in.c(); c++) {
            for (int i = 0; i < oh; i++) {
                int y0 = Math.floorDiv(i * in.h(), oh), y1 = -Math.floorDiv(-(i + 1) * in.h(), oh);
                for (int j = 0; j < ow; j++) {
                    int x0 = Math.floorDiv(j * in.w(), ow), x1 = -Math.floorDiv(-(j + 1) * in.w(), ow);
                    double sum = 0;
                    for (int iy = y0; iy < y1; iy++) for (int ix = x0; ix < x1; ix++) sum += x[(c * in.h() + iy) * in.w() + ix];
                    y[(c * oh + i) * ow + j] = sum / ((y1 - y0) * (x1 - x0));
                }
            }
        }
        return y;
    }

    private static double[] fc(double[] x, int out, float[] wt, float[] bias) {
        double[] y = new double[out];
        for (int o = 0; o < out; o++) {
            double s = bias == null ? 0 : bias[o];
            for (int i = 0; i < x.length; i++) s += x[i] * wt[o * x.length + i];
            y[o] = s;
        }
        return y;
    }

    /** PyTorch's interpolate with an integer scale_factor: nearest (floor), bilinear with or without align_corners. */
    private static double[] upsample(Op.Upsample u, double[] x, Shape.Map in, Shape.Map out) {
        double[] y = new double[(int) out.elements()];
        for (int c = 0; c < out.c(); c++) {
            for (int oy = 0; oy < out.h(); oy++) {
                for (int ox = 0; ox < out.w(); ox++) {
                    double v;
                    if (u.mode() == Op.UpsampleMode.NEAREST) {
                        int iy = Math.min(oy / u.scaleH(), in.h() - 1), ix = Math.min(ox / u.scaleW(), in.w() - 1);
                        v = x[(c * in.h() + iy) * in.w() + ix];
                    } else {
                        double sy = source(oy, in.h(), out.h(), u.scaleH(), u.alignCorners());
                        double sx = source(ox, in.w(), out.w(), u.scaleW(), u.alignCorners());
                        int y0 = (int) Math.floor(sy), x0 = (int) Math.floor(sx);
                        int y1 = Math.min(y0 + 1, in.h() - 1), x1 = Math.min(x0 + 1, in.w() - 1);
                        double ly = sy - y0, lx = sx - x0;
                        v = (1 - ly) * ((1 - lx) * at(x, in, c, y0, x0) + lx * at(x, in, c, y0, x1))
                                + ly * ((1 - lx) * at(x, in, c, y1, x0) + lx * at(x, in, c, y1, x1));
                    }
                    y[(c * out.h() + oy) * out.w() + ox] = v;
                }
            }
        }
        return y;
    }

    private static double source(int dst, int in, int out, int scale, boolean alignCorners) {
        if (alignCorners) return out > 1 ? dst * (double) (in - 1) / (out - 1) : 0;
        return Math.max(0, (dst + 0.5) / scale - 0.5);
    }

    private static double at(double[] x, Shape.Map in, int c, int iy, int ix) {
        return x[(c * in.h() + iy) * in.w() + ix];
    }

    /** PyTorch's LocalResponseNorm: x / (k + alpha/size · Σ x² over channels [c − size/2, c + (size−1)/2])^beta. */
    private static double[] lrn(Op.Lrn l, double[] x, Shape.Map in) {
        int spatial = in.h() * in.w();
        double[] y = new double[x.length];
        for (int c = 0; c < in.c(); c++) {
            for (int s = 0; s < spatial; s++) {
                double sum = 0;
                for (int j = c - l.size() / 2; j <= c + (l.size() - 1) / 2; j++) {
                    if (j >= 0 && j < in.c()) sum += x[j * spatial + s] * x[j * spatial + s];
                }
                y[c * spatial + s] = x[c * spatial + s] / Math.pow(l.k() + l.alpha() * sum / l.size(), l.beta());
            }
        }
        return y;
    }
}
