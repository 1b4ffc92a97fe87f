package org.cnnc.compiler.ir;

/**
 * What a kernel does to each value it computes before storing it, after fusion:
 * {@code y = after(act(bn(acc)) + residual)}. {@code batchNorm} names the BatchNorm folded into
 * the producer (its tensors' prefix; its statistics are folded into the weights when the model
 * loads), {@code residual} adds the node's last input. Each part may be absent (null / false).
 */
public record Epilogue(String batchNorm, double eps, Op.Activation act, boolean residual, Op.Activation after) {
    public static final Epilogue NONE = new Epilogue(null, 0, null, false, null);

    public boolean isEmpty() {
        return equals(NONE);
    }

    public Epilogue withBatchNorm(String name, double epsilon) {
        return new Epilogue(name, epsilon, act, residual, after);
    }

    public Epilogue withAct(Op.Activation a) {
        return new Epilogue(batchNorm, eps, a, residual, after);
    }

    public Epilogue withResidual() {
        return new Epilogue(batchNorm, eps, act, true, after);
    }

    public Epilogue withAfter(Op.Activation a) {
        return new Epilogue(batchNorm, eps, act, residual, a);
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
        if (batchNorm != null) s.append(" + bn");
        if (act != null) s.append(" + ").append(act.kind());
        if (residual) s.append(" + add");
        if (after != null) s.append(" + ").append(after.kind());
        return s.toString();
    }
}
