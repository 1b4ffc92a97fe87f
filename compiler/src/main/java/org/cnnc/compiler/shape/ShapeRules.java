package org.cnnc.compiler.shape;

import java.util.List;
import org.cnnc.compiler.ir.Op;
import org.cnnc.compiler.ir.Shape;

/** The output shape of each operator for given input shapes: W2 = (W1 − F + 2P)/S + 1 and kin. */
public final class ShapeRules {
    private ShapeRules() {}

    public static Shape output(Op op, List<Shape> inputs) throws ShapeError {
        Shape in = inputs.isEmpty() ? null : inputs.get(0);
        return switch (op) {
            case Op.Input i -> throw new IllegalArgumentException("the input has no rule");
            case Op.Conv c -> conv(c, map(in, "conv"));
            case Op.ConvTranspose t -> convTranspose(t, map(in, "convtranspose"));
            case Op.BatchNorm b -> in;
            case Op.Activation a -> in;
            case Op.Softmax s -> in;
            case Op.Dropout d -> in;
            case Op.Lrn l -> map(in, "lrn");
            case Op.Pool p -> pool(p, map(in, p.kind()));
            case Op.AdaptiveAvgPool a -> new Shape.Map(map(in, a.kind()).c(), a.outH(), a.outW());
            case Op.Flatten f -> new Shape.Vec(features(in, "flatten"));
            case Op.Fc f -> {
                features(in, "fc");
                yield new Shape.Vec(f.outFeatures());
            }
            case Op.Upsample u -> {
                Shape.Map m = map(in, "upsample");
                yield new Shape.Map(m.c(), checked((long) m.h() * u.scaleH()), checked((long) m.w() * u.scaleW()));
            }
            case Op.Add a -> add(inputs);
            case Op.Concat c -> concat(inputs);
        };
    }

    private static Shape.Map conv(Op.Conv c, Shape.Map in) throws ShapeError {
        if (in.c() % c.groups() != 0) {
            throw new ShapeError("conv groups=" + c.groups() + " does not divide the " + in.c() + " input channels");
        }
        if (c.outChannels() % c.groups() != 0) {
            throw new ShapeError("conv groups=" + c.groups() + " does not divide the " + c.outChannels() + " output channels");
        }
        int h = slide(in.h(), c.kh(), c.sh(), c.ph(), c.dh(), false);
        int w = slide(in.w(), c.kw(), c.sw(), c.pw(), c.dw(), false);
        if (h < 1 || w < 1) {
            throw new ShapeError("conv " + kernelText(c.kh(), c.kw(), c.dh(), c.dw()) + " does not fit a "
                    + in.h() + "×" + in.w() + " input with " + padText(c.ph(), c.pw()));
        }
        return new Shape.Map(c.outChannels(), h, w);
    }

    private static Shape.Map convTranspose(Op.ConvTranspose t, Shape.Map in) throws ShapeError {
        if (in.c() % t.groups() != 0 || t.outChannels() % t.groups() != 0) {
            throw new ShapeError("convtranspose groups=" + t.groups() + " must divide " + in.c()
                    + " input and " + t.outChannels() + " output channels");
        }
        if (t.outPadH() >= Math.max(t.sh(), t.dh()) || t.outPadW() >= Math.max(t.sw(), t.dw())) {
            throw new ShapeError("convtranspose output padding must be smaller than the stride or the dilation");
        }
        long h = (long) (in.h() - 1) * t.sh() - 2L * t.ph() + (long) t.dh() * (t.kh() - 1) + t.outPadH() + 1;
        long w = (long) (in.w() - 1) * t.sw() - 2L * t.pw() + (long) t.dw() * (t.kw() - 1) + t.outPadW() + 1;
        if (h < 1 || w < 1) {
            throw new ShapeError("convtranspose with " + padText(t.ph(), t.pw()) + " leaves a " + h + "×" + w
                    + " output from a " + in.h() + "×" + in.w() + " input");
        }
        return new Shape.Map(t.outChannels(), checked(h), checked(w));
    }

    private static Shape.Map pool(Op.Pool p, Shape.Map in) throws ShapeError {
        if (2 * p.ph() > p.kh() || 2 * p.pw() > p.kw()) {
            throw new ShapeError(p.kind() + " padding " + padText(p.ph(), p.pw()) + " is more than half the "
                    + p.kh() + "×" + p.kw() + " window");
        }
        int h = slide(in.h(), p.kh(), p.sh(), p.ph(), 1, p.ceil());
        int w = slide(in.w(), p.kw(), p.sw(), p.pw(), 1, p.ceil());
        if (h < 1 || w < 1) {
            throw new ShapeError(p.kind() + " " + p.kh() + "×" + p.kw() + " does not fit a " + in.h() + "×" + in.w()
                    + " input with " + padText(p.ph(), p.pw()));
        }
        return new Shape.Map(in.c(), h, w);
    }

    /**
     * Output length of a sliding window: floor((n + 2p − d(k−1) − 1)/s) + 1, or with ceil
     * rounding up, where (as in PyTorch) the last window must start inside the input or left padding.
     */
    static int slide(int n, int k, int s, int p, int d, boolean ceil) {
        long span = (long) n + 2L * p - (long) d * (k - 1) - 1;
        long out = (ceil ? Math.ceilDiv(span, s) : Math.floorDiv(span, s)) + 1;
        if (ceil && out > 0 && (out - 1) * s >= (long) n + p) out--;
        return (int) Math.max(0, Math.min(out, Integer.MAX_VALUE));
    }

    private static Shape add(List<Shape> inputs) throws ShapeError {
        Shape first = inputs.get(0);
        for (int i = 1; i < inputs.size(); i++) {
            if (!inputs.get(i).equals(first)) {
                throw new ShapeError("add needs equal shapes, but branch 1 gives " + first + " and branch " + (i + 1)
                        + " gives " + inputs.get(i));
            }
        }
        return first;
    }

    private static Shape concat(List<Shape> inputs) throws ShapeError {
        Shape first = inputs.get(0);
        long channels = 0;
        for (int i = 0; i < inputs.size(); i++) {
            Shape s = inputs.get(i);
            boolean sameKind = switch (first) {
                case Shape.Map m -> s instanceof Shape.Map o && o.h() == m.h() && o.w() == m.w();
                case Shape.Vec v -> s instanceof Shape.Vec;
            };
            if (!sameKind) {
                throw new ShapeError("concat needs equal H×W in every branch, but branch 1 gives " + first
                        + " and branch " + (i + 1) + " gives " + s);
            }
            channels += s.channels();
        }
        int c = checked(channels);
        return first instanceof Shape.Map m ? new Shape.Map(c, m.h(), m.w()) : new Shape.Vec(c);
    }

    private static Shape.Map map(Shape in, String op) throws ShapeError {
        if (in instanceof Shape.Map m) return m;
        throw new ShapeError(op + " needs a C×H×W input, but gets a vector of " + in + " features");
    }

    private static int features(Shape in, String op) throws ShapeError {
        long n = in.elements();
        if (n > Integer.MAX_VALUE) throw new ShapeError(op + " input of " + n + " features is too large");
        return (int) n;
    }

    private static int checked(long n) throws ShapeError {
        if (n > Integer.MAX_VALUE) throw new ShapeError("a dimension of " + n + " is too large");
        return (int) n;
    }

    private static String kernelText(int kh, int kw, int dh, int dw) {
        String k = kh == kw ? "k=" + kh : "k=" + kh + "×" + kw;
        return dh == 1 && dw == 1 ? k : k + " dilation=" + (dh == dw ? dh : dh + "×" + dw);
    }

    private static String padText(int ph, int pw) {
        return ph == pw ? "p=" + ph : "p=" + ph + "×" + pw;
    }
}
