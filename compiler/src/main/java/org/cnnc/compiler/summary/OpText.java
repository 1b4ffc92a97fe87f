package org.cnnc.compiler.summary;

import java.util.ArrayList;
import java.util.List;
import org.cnnc.compiler.ir.Op;

/** A short human description of an operator and its attributes, as the summary shows it. */
public final class OpText {
    private OpText() {}

    public static String describe(Op op) {
        List<String> parts = new ArrayList<>();
        switch (op) {
            case Op.Conv c -> {
                parts.add(Integer.toString(c.outChannels()));
                parts.add(dims(c.kh(), c.kw()));
                if (c.sh() != 1 || c.sw() != 1) parts.add("s" + pair(c.sh(), c.sw()));
                if (c.ph() != 0 || c.pw() != 0) parts.add("p" + pair(c.ph(), c.pw()));
                if (c.dh() != 1 || c.dw() != 1) parts.add("d" + pair(c.dh(), c.dw()));
                if (c.groups() != 1) parts.add("g" + c.groups());
                if (!c.bias()) parts.add("no bias");
            }
            case Op.ConvTranspose t -> {
                parts.add(Integer.toString(t.outChannels()));
                parts.add(dims(t.kh(), t.kw()));
                if (t.sh() != 1 || t.sw() != 1) parts.add("s" + pair(t.sh(), t.sw()));
                if (t.ph() != 0 || t.pw() != 0) parts.add("p" + pair(t.ph(), t.pw()));
                if (t.outPadH() != 0 || t.outPadW() != 0) parts.add("op" + pair(t.outPadH(), t.outPadW()));
                if (t.groups() != 1) parts.add("g" + t.groups());
                if (!t.bias()) parts.add("no bias");
            }
            case Op.Pool p -> {
                parts.add(dims(p.kh(), p.kw()));
                if (p.sh() != p.kh() || p.sw() != p.kw()) parts.add("s" + pair(p.sh(), p.sw()));
                if (p.ph() != 0 || p.pw() != 0) parts.add("p" + pair(p.ph(), p.pw()));
                if (p.ceil()) parts.add("ceil");
                if (p.pool() == Op.PoolKind.AVG && !p.countIncludePad()) parts.add("exclude pad");
            }
            case Op.AdaptiveAvgPool a -> {
                if (a.outH() != 1 || a.outW() != 1) parts.add(dims(a.outH(), a.outW()));
            }
            case Op.BatchNorm b -> {
                if (b.eps() != 1e-5) parts.add("eps " + b.eps());
            }
            case Op.Activation a -> {
                if (a.function() == Op.ActivationKind.LEAKY_RELU) parts.add(Double.toString(a.alpha()));
            }
            case Op.Fc f -> {
                parts.add(Integer.toString(f.outFeatures()));
                if (!f.bias()) parts.add("no bias");
            }
            case Op.Dropout d -> parts.add(Double.toString(d.p()));
            case Op.Upsample u -> {
                parts.add("×" + pair(u.scaleH(), u.scaleW()));
                parts.add(u.mode().name().toLowerCase());
            }
            case Op.Lrn l -> parts.add("size " + l.size());
            case Op.Input i -> { }
            case Op.Softmax s -> { }
            case Op.Flatten f -> { }
            case Op.Add a -> { }
            case Op.Concat c -> { }
        }
        return parts.isEmpty() ? op.kind() : op.kind() + " " + String.join(" ", parts);
    }

    private static String dims(int h, int w) {
        return h + "×" + w;
    }

    private static String pair(int a, int b) {
        return a == b ? Integer.toString(a) : a + "×" + b;
    }
}
