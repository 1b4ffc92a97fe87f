package org.cnnc.compiler.reference;

import java.util.ArrayList;
import java.util.List;
import org.cnnc.compiler.ir.Graph;
import org.cnnc.compiler.ir.Node;
import org.cnnc.compiler.ir.Op;
import org.cnnc.compiler.ir.Shape;
import org.cnnc.compiler.weights.Weights;

/**
 * The numerical reference that generated code is tested against: a naive interpreter of the
 * graph, one plain loop nest per operator, following PyTorch's semantics (inference mode).
 *
 * <p>Every tensor is a {@code float[]} holding a whole batch in row-major order: N, C, H, W for a
 * feature map, N, F for a vector. Each operator accumulates in double and rounds its result to
 * float once, as a float32 framework stores each layer's output. Output sizes are computed here
 * from the operator's own formula and checked against the shape the graph carries, so a wrong
 * shape rule shows up as an error instead of as silently different numbers.
 *
 * <p>Speed is not a goal; clarity is. Keep it obviously right.
 */
public final class ReferenceInterpreter {
    private ReferenceInterpreter() {}

    /** The output node's value for the batch: {@code batch × output elements} floats. */
    public static float[] run(Graph graph, Weights weights, float[] input, int batch) {
        return runAll(graph, weights, input, batch).get(graph.output());
    }

    /** Every node's value for the batch, indexed by node id (for finding where two engines part). */
    public static List<float[]> runAll(Graph graph, Weights weights, float[] input, int batch) {
        if (batch < 1) throw new IllegalArgumentException("batch must be at least 1, not " + batch);
        long expected = batch * graph.input().shape().elements();
        if (input.length != expected) {
            throw new IllegalArgumentException("input has " + input.length + " values, but a batch of " + batch
                    + " × " + graph.input().shape() + " needs " + expected);
        }
        List<float[]> values = new ArrayList<>();
        for (Node node : graph.nodes()) {
            if (node.id() != values.size()) throw new IllegalStateException("node ids are not 0, 1, 2, ...");
            List<Tensor> ins = new ArrayList<>();
            for (int i : node.inputs()) {
                if (i >= node.id()) throw new IllegalStateException("node " + node.name() + " reads a later node");
                ins.add(new Tensor(dims(graph.node(i).shape()), values.get(i)));
            }
            float[] out = evaluate(node, ins, weights, input, batch);
            long size = batch * node.shape().elements();
            if (out.length != size) {
                throw new IllegalStateException("node " + node.name() + " (" + node.op().kind() + ") computed "
                        + out.length + " values, but its shape " + node.shape() + " needs " + size);
            }
            values.add(out);
        }
        return values;
    }

    /** A sample's dimensions; a vector of n features is n × 1 × 1. */
    private record Dims(int c, int h, int w) {
        int size() {
            return c * h * w;
        }

        int at(int ch, int y, int x) {
            return (ch * h + y) * w + x;
        }
    }

    /** A batch of samples of one shape. */
    private record Tensor(Dims dims, float[] data) {
        float get(int n, int c, int y, int x) {
            return data[n * dims.size() + dims.at(c, y, x)];
        }
    }

    private static Dims dims(Shape shape) {
        return switch (shape) {
            case Shape.Map m -> new Dims(m.c(), m.h(), m.w());
            case Shape.Vec v -> new Dims(v.n(), 1, 1);
        };
    }

    private static float[] evaluate(Node node, List<Tensor> ins, Weights weights, float[] input, int batch) {
        Dims outDims = dims(node.shape());
        String p = node.name() + ".";
        return switch (node.op()) {
            case Op.Input i -> input.clone();
            case Op.Conv c -> conv(c, ins.get(0), outDims, batch, weights.get(p + "weight"),
                    c.bias() ? weights.get(p + "bias") : null, node);
            case Op.ConvTranspose t -> convTranspose(t, ins.get(0), outDims, batch, weights.get(p + "weight"),
                    t.bias() ? weights.get(p + "bias") : null, node);
            case Op.BatchNorm b -> batchNorm(b, ins.get(0), batch, weights.get(p + "weight"), weights.get(p + "bias"),
                    weights.get(p + "running_mean"), weights.get(p + "running_var"));
            case Op.Activation a -> activation(a, ins.get(0).data());
            case Op.Softmax s -> softmax(ins.get(0), batch);
            case Op.Pool pool -> pool(pool, ins.get(0), outDims, batch, node);
            case Op.AdaptiveAvgPool a -> adaptiveAvgPool(a, ins.get(0), outDims, batch, node);
            case Op.Flatten f -> ins.get(0).data().clone();
            case Op.Fc f -> fc(f, ins.get(0), batch, weights.get(p + "weight"), f.bias() ? weights.get(p + "bias") : null);
            case Op.Dropout d -> ins.get(0).data().clone();
            case Op.Upsample u -> upsample(u, ins.get(0), outDims, batch, node);
            case Op.Lrn l -> lrn(l, ins.get(0), batch);
            case Op.Add a -> add(ins);
            case Op.Concat c -> concat(ins, batch);
        };
    }

    private static void check(Node node, Dims computed, Dims declared) {
        if (!computed.equals(declared)) {
            throw new IllegalStateException("node " + node.name() + " (" + node.op().kind() + "): PyTorch's formula gives "
                    + computed.c() + "×" + computed.h() + "×" + computed.w() + " but the graph says "
                    + declared.c() + "×" + declared.h() + "×" + declared.w());
        }
    }

    // ---------------------------------------------------------------- convolution

    /**
     * out[n, o, y, x] = bias[o] + Σ_{i in o's group} Σ_{ky, kx} in[n, i, y·s − p + ky·d, x·s − p + kx·d] · w[o, i − g·I/G, ky, kx],
     * taps outside the input reading zero. Weight layout [O, I/G, kH, kW].
     */
    private static float[] conv(Op.Conv c, Tensor in, Dims out, int batch, float[] w, float[] bias, Node node) {
        Dims d = in.dims();
        int outH = Math.floorDiv(d.h() + 2 * c.ph() - c.dh() * (c.kh() - 1) - 1, c.sh()) + 1;
        int outW = Math.floorDiv(d.w() + 2 * c.pw() - c.dw() * (c.kw() - 1) - 1, c.sw()) + 1;
        check(node, new Dims(c.outChannels(), outH, outW), out);
        int inPerGroup = d.c() / c.groups();
        int outPerGroup = c.outChannels() / c.groups();
        float[] result = new float[batch * out.size()];
        for (int n = 0; n < batch; n++) {
            for (int o = 0; o < out.c(); o++) {
                int group = o / outPerGroup;
                for (int y = 0; y < out.h(); y++) {
                    for (int x = 0; x < out.w(); x++) {
                        double sum = bias == null ? 0 : bias[o];
                        for (int ig = 0; ig < inPerGroup; ig++) {
                            int i = group * inPerGroup + ig;
                            for (int ky = 0; ky < c.kh(); ky++) {
                                int iy = y * c.sh() - c.ph() + ky * c.dh();
                                if (iy < 0 || iy >= d.h()) continue;
                                for (int kx = 0; kx < c.kw(); kx++) {
                                    int ix = x * c.sw() - c.pw() + kx * c.dw();
                                    if (ix < 0 || ix >= d.w()) continue;
                                    double weight = w[((o * inPerGroup + ig) * c.kh() + ky) * c.kw() + kx];
                                    sum += in.get(n, i, iy, ix) * weight;
                                }
                            }
                        }
                        result[n * out.size() + out.at(o, y, x)] = (float) sum;
                    }
                }
            }
        }
        return result;
    }

    /**
     * The transposed convolution as PyTorch's ConvTranspose2d defines it: every input value
     * scatters into out[n, o, y·s − p + ky·d, x·s − p + kx·d] with weight w[i, o − g·O/G, ky, kx]
     * (layout [I, O/G, kH, kW]); positions outside the output are dropped. Output size
     * (in − 1)·s − 2p + d(k − 1) + output_padding + 1; the output padding rows and columns receive
     * whatever falls there (often only the bias).
     */
    private static float[] convTranspose(Op.ConvTranspose t, Tensor in, Dims out, int batch, float[] w, float[] bias,
                                         Node node) {
        Dims d = in.dims();
        int outH = (d.h() - 1) * t.sh() - 2 * t.ph() + t.dh() * (t.kh() - 1) + t.outPadH() + 1;
        int outW = (d.w() - 1) * t.sw() - 2 * t.pw() + t.dw() * (t.kw() - 1) + t.outPadW() + 1;
        check(node, new Dims(t.outChannels(), outH, outW), out);
        int inPerGroup = d.c() / t.groups();
        int outPerGroup = t.outChannels() / t.groups();
        double[] sums = new double[batch * out.size()];
        for (int n = 0; n < batch; n++) {
            for (int i = 0; i < d.c(); i++) {
                int group = i / inPerGroup;
                for (int y = 0; y < d.h(); y++) {
                    for (int x = 0; x < d.w(); x++) {
                        double v = in.get(n, i, y, x);
                        for (int og = 0; og < outPerGroup; og++) {
                            int o = group * outPerGroup + og;
                            for (int ky = 0; ky < t.kh(); ky++) {
                                int oy = y * t.sh() - t.ph() + ky * t.dh();
                                if (oy < 0 || oy >= out.h()) continue;
                                for (int kx = 0; kx < t.kw(); kx++) {
                                    int ox = x * t.sw() - t.pw() + kx * t.dw();
                                    if (ox < 0 || ox >= out.w()) continue;
                                    double weight = w[((i * outPerGroup + og) * t.kh() + ky) * t.kw() + kx];
                                    sums[n * out.size() + out.at(o, oy, ox)] += v * weight;
                                }
                            }
                        }
                    }
                }
            }
        }
        float[] result = new float[sums.length];
        for (int n = 0; n < batch; n++) {
            for (int o = 0; o < out.c(); o++) {
                for (int y = 0; y < out.h(); y++) {
                    for (int x = 0; x < out.w(); x++) {
                        int at = n * out.size() + out.at(o, y, x);
                        result[at] = (float) (sums[at] + (bias == null ? 0 : bias[o]));
                    }
                }
            }
        }
        return result;
    }

    // ---------------------------------------------------------------- normalisation

    /** Inference batch norm: γ·(x − running_mean)/√(running_var + ε) + β, per channel (per feature for a vector). */
    private static float[] batchNorm(Op.BatchNorm b, Tensor in, int batch, float[] gamma, float[] beta,
                                     float[] mean, float[] var) {
        Dims d = in.dims();
        float[] result = new float[in.data().length];
        for (int n = 0; n < batch; n++) {
            for (int c = 0; c < d.c(); c++) {
                double scale = gamma[c] / Math.sqrt((double) var[c] + b.eps());
                for (int y = 0; y < d.h(); y++) {
                    for (int x = 0; x < d.w(); x++) {
                        int at = n * d.size() + d.at(c, y, x);
                        result[at] = (float) ((in.data()[at] - (double) mean[c]) * scale + beta[c]);
                    }
                }
            }
        }
        return result;
    }

    /**
     * PyTorch's LocalResponseNorm: b_c = a_c / (k + α/n · Σ a_c'²)^β, the sum over channels
     * c − n/2 … c + (n − 1)/2 (integer halves: the window is padded n/2 before and (n − 1)/2 after,
     * then averaged over all n places), channels outside the map counting zero.
     */
    private static float[] lrn(Op.Lrn l, Tensor in, int batch) {
        Dims d = in.dims();
        int before = l.size() / 2;
        int after = (l.size() - 1) / 2;
        float[] result = new float[in.data().length];
        for (int n = 0; n < batch; n++) {
            for (int c = 0; c < d.c(); c++) {
                for (int y = 0; y < d.h(); y++) {
                    for (int x = 0; x < d.w(); x++) {
                        double squares = 0;
                        for (int cc = c - before; cc <= c + after; cc++) {
                            if (cc < 0 || cc >= d.c()) continue;
                            double a = in.get(n, cc, y, x);
                            squares += a * a;
                        }
                        double div = Math.pow(l.k() + l.alpha() / l.size() * squares, l.beta());
                        result[n * d.size() + d.at(c, y, x)] = (float) (in.get(n, c, y, x) / div);
                    }
                }
            }
        }
        return result;
    }

    // ---------------------------------------------------------------- element-wise

    private static float[] activation(Op.Activation a, float[] in) {
        float[] result = new float[in.length];
        for (int i = 0; i < in.length; i++) {
            double x = in[i];
            double y = switch (a.function()) {
                case RELU -> x > 0 ? x : 0;
                case RELU6 -> Math.min(Math.max(x, 0), 6);
                case LEAKY_RELU -> x > 0 ? x : a.alpha() * x;
                case SIGMOID -> 1 / (1 + Math.exp(-x));
                case TANH -> Math.tanh(x);
            };
            result[i] = (float) y;
        }
        return result;
    }

    /** Softmax over the channels at each position (over the features for a vector), shifted by the maximum. */
    private static float[] softmax(Tensor in, int batch) {
        Dims d = in.dims();
        float[] result = new float[in.data().length];
        for (int n = 0; n < batch; n++) {
            for (int y = 0; y < d.h(); y++) {
                for (int x = 0; x < d.w(); x++) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int c = 0; c < d.c(); c++) max = Math.max(max, in.get(n, c, y, x));
                    double total = 0;
                    for (int c = 0; c < d.c(); c++) total += Math.exp(in.get(n, c, y, x) - max);
                    for (int c = 0; c < d.c(); c++) {
                        result[n * d.size() + d.at(c, y, x)] = (float) (Math.exp(in.get(n, c, y, x) - max) / total);
                    }
                }
            }
        }
        return result;
    }

    private static float[] add(List<Tensor> ins) {
        float[] result = new float[ins.get(0).data().length];
        for (int i = 0; i < result.length; i++) {
            double sum = 0;
            for (Tensor t : ins) sum += t.data()[i];
            result[i] = (float) sum;
        }
        return result;
    }

    /** Joins along channels: per sample, the inputs' C×H×W blocks one after another. */
    private static float[] concat(List<Tensor> ins, int batch) {
        int total = 0;
        for (Tensor t : ins) total += t.dims().size();
        float[] result = new float[batch * total];
        int at = 0;
        for (int n = 0; n < batch; n++) {
            for (Tensor t : ins) {
                int size = t.dims().size();
                System.arraycopy(t.data(), n * size, result, at, size);
                at += size;
            }
        }
        return result;
    }

    // ---------------------------------------------------------------- pooling

    /**
     * Max and average pooling as PyTorch's CPU kernels. A window starts at o·s − p and ends at
     * min(start + k, in + p); max takes the largest real cell (padding is −∞); average divides
     * the sum of real cells by (end − start) in each axis, padding included (count_include_pad,
     * the default: the full k×k except where a ceil-mode window reaches past in + p), or by the
     * number of real cells. Ceil mode rounds the output size up, but drops a last window that
     * would start in the right padding.
     */
    private static float[] pool(Op.Pool p, Tensor in, Dims out, int batch, Node node) {
        Dims d = in.dims();
        check(node, new Dims(d.c(), poolSize(d.h(), p.kh(), p.sh(), p.ph(), p.ceil()),
                poolSize(d.w(), p.kw(), p.sw(), p.pw(), p.ceil())), out);
        float[] result = new float[batch * out.size()];
        for (int n = 0; n < batch; n++) {
            for (int c = 0; c < d.c(); c++) {
                for (int y = 0; y < out.h(); y++) {
                    for (int x = 0; x < out.w(); x++) {
                        int y0 = y * p.sh() - p.ph();
                        int x0 = x * p.sw() - p.pw();
                        int y1 = Math.min(y0 + p.kh(), d.h() + p.ph());
                        int x1 = Math.min(x0 + p.kw(), d.w() + p.pw());
                        int windowWithPadding = (y1 - y0) * (x1 - x0);
                        y0 = Math.max(y0, 0);
                        x0 = Math.max(x0, 0);
                        y1 = Math.min(y1, d.h());
                        x1 = Math.min(x1, d.w());
                        if (y0 >= y1 || x0 >= x1) {
                            throw new IllegalStateException("node " + node.name() + ": a window holds no input cell");
                        }
                        double value;
                        if (p.pool() == Op.PoolKind.MAX) {
                            value = Double.NEGATIVE_INFINITY;
                            for (int iy = y0; iy < y1; iy++) {
                                for (int ix = x0; ix < x1; ix++) value = Math.max(value, in.get(n, c, iy, ix));
                            }
                        } else {
                            double sum = 0;
                            for (int iy = y0; iy < y1; iy++) {
                                for (int ix = x0; ix < x1; ix++) sum += in.get(n, c, iy, ix);
                            }
                            int realCells = (y1 - y0) * (x1 - x0);
                            value = sum / (p.countIncludePad() ? windowWithPadding : realCells);
                        }
                        result[n * out.size() + out.at(c, y, x)] = (float) value;
                    }
                }
            }
        }
        return result;
    }

    /** PyTorch's pooling output size (no dilation). */
    private static int poolSize(int in, int k, int s, int p, boolean ceil) {
        int span = in + 2 * p - k;
        int size = (ceil ? Math.ceilDiv(span, s) : Math.floorDiv(span, s)) + 1;
        if (ceil && (size - 1) * s >= in + p) size--;
        return size;
    }

    /** Output cell i averages input cells floor(i·in/out) … ceil((i + 1)·in/out) − 1 in each axis. */
    private static float[] adaptiveAvgPool(Op.AdaptiveAvgPool a, Tensor in, Dims out, int batch, Node node) {
        Dims d = in.dims();
        check(node, new Dims(d.c(), a.outH(), a.outW()), out);
        float[] result = new float[batch * out.size()];
        for (int n = 0; n < batch; n++) {
            for (int c = 0; c < d.c(); c++) {
                for (int y = 0; y < out.h(); y++) {
                    int y0 = Math.floorDiv(y * d.h(), out.h());
                    int y1 = Math.ceilDiv((y + 1) * d.h(), out.h());
                    for (int x = 0; x < out.w(); x++) {
                        int x0 = Math.floorDiv(x * d.w(), out.w());
                        int x1 = Math.ceilDiv((x + 1) * d.w(), out.w());
                        double sum = 0;
                        for (int iy = y0; iy < y1; iy++) {
                            for (int ix = x0; ix < x1; ix++) sum += in.get(n, c, iy, ix);
                        }
                        result[n * out.size() + out.at(c, y, x)] = (float) (sum / ((y1 - y0) * (x1 - x0)));
                    }
                }
            }
        }
        return result;
    }

    // ---------------------------------------------------------------- dense

    /** out[n, o] = bias[o] + Σ_i w[o, i] · in[n, i], a map's features taken in C, H, W order. Weight [out, in]. */
    private static float[] fc(Op.Fc f, Tensor in, int batch, float[] w, float[] bias) {
        int features = in.dims().size();
        float[] result = new float[batch * f.outFeatures()];
        for (int n = 0; n < batch; n++) {
            for (int o = 0; o < f.outFeatures(); o++) {
                double sum = bias == null ? 0 : bias[o];
                for (int i = 0; i < features; i++) {
                    sum += (double) w[o * features + i] * in.data()[n * features + i];
                }
                result[n * f.outFeatures() + o] = (float) sum;
            }
        }
        return result;
    }

    // ---------------------------------------------------------------- resampling

    /**
     * nn.Upsample by integer factors. Nearest: src = floor(dst / scale). Bilinear, align_corners
     * false: src = (dst + 0.5)/scale − 0.5, clamped below at 0; align_corners true:
     * src = dst·(in − 1)/(out − 1) (0 when out = 1). The two neighbours are floor(src) and the
     * next cell, clamped to the last one, weighted by the fractional part.
     */
    private static float[] upsample(Op.Upsample u, Tensor in, Dims out, int batch, Node node) {
        Dims d = in.dims();
        check(node, new Dims(d.c(), d.h() * u.scaleH(), d.w() * u.scaleW()), out);
        float[] result = new float[batch * out.size()];
        for (int n = 0; n < batch; n++) {
            for (int c = 0; c < d.c(); c++) {
                for (int y = 0; y < out.h(); y++) {
                    for (int x = 0; x < out.w(); x++) {
                        double value;
                        if (u.mode() == Op.UpsampleMode.NEAREST) {
                            int sy = Math.min(y / u.scaleH(), d.h() - 1);
                            int sx = Math.min(x / u.scaleW(), d.w() - 1);
                            value = in.get(n, c, sy, sx);
                        } else {
                            double sy = sourceIndex(y, d.h(), out.h(), u.scaleH(), u.alignCorners());
                            double sx = sourceIndex(x, d.w(), out.w(), u.scaleW(), u.alignCorners());
                            int y0 = (int) sy;
                            int x0 = (int) sx;
                            int y1 = Math.min(y0 + 1, d.h() - 1);
                            int x1 = Math.min(x0 + 1, d.w() - 1);
                            double fy = sy - y0;
                            double fx = sx - x0;
                            value = (1 - fy) * ((1 - fx) * in.get(n, c, y0, x0) + fx * in.get(n, c, y0, x1))
                                    + fy * ((1 - fx) * in.get(n, c, y1, x0) + fx * in.get(n, c, y1, x1));
                        }
                        result[n * out.size() + out.at(c, y, x)] = (float) value;
                    }
                }
            }
        }
        return result;
    }

    private static double sourceIndex(int dst, int inSize, int outSize, int scale, boolean alignCorners) {
        if (alignCorners) {
            return outSize > 1 ? dst * (double) (inSize - 1) / (outSize - 1) : 0;
        }
        double src = (dst + 0.5) / scale - 0.5;
        return Math.max(src, 0);
    }
}
