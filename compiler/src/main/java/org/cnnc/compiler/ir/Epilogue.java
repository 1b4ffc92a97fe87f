package org.cnnc.compiler.ir;

/**
 * What a kernel does to each value it computes before storing it, after fusion:
 * {@code y = after(act(bn(acc)) + residual)}. {@code batchNorm} names the BatchNorm folded into
 * the producer (its tensors' prefix; its statistics are folded into the weights when the model
 * loads), {@code residual} adds the node's last input. {@code linearBefore} names an fc folded
 * into this fc (W = W₂W₁, b = W₂b₁ + b₂, computed when the model loads). Each part may be absent.
 */
public record Epilogue(String batchNorm, double eps, Op.Activation act, boolean residual, Op.Activation after,
                       String linearBefore) {
    public static final Epilogue NONE = new Epilogue(null, 0, null, false, null, null);

    public Epilogue(String batchNorm, double eps, Op.Activation act, boolean residual, Op.Activation after) {
        this(batchNorm, eps, act, residual, after, null);
    }

    public Epilogue withLinearBefore(String fc) {
        return new Epilogue(batchNorm, eps, act, residual, after, fc);
    }

    public boolean isEmpty() {
        return equals(NONE);
    }

    public Epilogue withBatchNorm(String name, double epsilon) {
        return new Epilogue(name, epsilon, act, residual, after, linearBefore);
    }

    public Epilogue withAct(Op.Activation a) {
        return new Epilogue(batchNorm, eps, a, residual, after, linearBefore);
    }

    public Epilogue withResidual() {
        return new Epilogue(batchNorm, eps, act, true, after, linearBefore);
    }

    public Epilogue withAfter(Op.Activation a) {
        return new Epilogue(batchNorm, eps, act, residual, a, linearBefore);
    }

    /** The activation the next fusion would fill: after the residual if there is one, else before it. */
    public boolean canTakeActivation() {
        return residual ? after == null : act == null;
    }

    public Epilogue withActivation(Op.Activation a) {
        return residual ? withAfter(a) : withAct(a);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        if (linearBefore != null) s.append(" ∘ fc");
        if (batchNorm != null) s.append(" + bn");
        if (act != null) s.append(" + ").append(act.kind());
        if (residual) s.append(" + add");
        if (after != null) s.append(" + ").append(after.kind());
        return s.toString();
    }
}
