package org.cnnc.compiler.weights;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.cnnc.compiler.ir.Graph;
import org.cnnc.compiler.ir.Node;
import org.cnnc.compiler.ir.Op;
import org.cnnc.compiler.shape.StateDict;

/**
 * A network's float32 tensors by state_dict name, in the order {@link StateDict} lists them,
 * each of the length its shape gives.
 */
public final class Weights {
    private final Map<String, float[]> tensors;

    private Weights(Map<String, float[]> tensors) {
        this.tensors = Collections.unmodifiableMap(tensors);
    }

    /** Wraps tensors already checked against the network (same names, lengths). */
    public static Weights of(Graph graph, Map<String, float[]> byName) {
        Map<String, float[]> ordered = new LinkedHashMap<>();
        for (StateDict.Tensor t : StateDict.tensors(graph)) {
            float[] data = byName.get(t.name());
            if (data == null) throw new IllegalArgumentException("no tensor " + t.name());
            if (data.length != t.elements()) {
                throw new IllegalArgumentException(t.name() + " has " + data.length + " values, not " + t.elements());
            }
            ordered.put(t.name(), data);
        }
        if (ordered.size() != byName.size()) throw new IllegalArgumentException("tensors the network does not have");
        return new Weights(ordered);
    }

    /**
     * Seeded He initialisation: conv and fc weights ~ N(0, 2/fan_in), biases ~ U(−0.1, 0.1);
     * BatchNorm with non-trivial statistics (γ ∈ [0.5, 1.5], β ~ N(0, 0.1²), mean ~ N(0, 0.1²),
     * variance ∈ [0.5, 1.5]) so that folding it is actually exercised. Each tensor draws from its
     * own stream (seed and name), so one network's tensors do not depend on the others.
     */
    public static Weights heInit(Graph graph, long seed) {
        Set<String> norms = graph.nodes().stream().filter(n -> n.op() instanceof Op.BatchNorm)
                .map(Node::name).collect(Collectors.toSet());
        Map<String, float[]> out = new LinkedHashMap<>();
        for (StateDict.Tensor t : StateDict.tensors(graph)) {
            SplittableRandom rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L ^ t.name().hashCode());
            float[] data = new float[Math.toIntExact(t.elements())];
            int dot = t.name().lastIndexOf('.');
            String kind = t.name().substring(dot + 1);
            boolean isNorm = norms.contains(t.name().substring(0, dot));
            for (int i = 0; i < data.length; i++) {
                data[i] = (float) switch (kind) {
                    case "running_mean" -> 0.1 * rnd.nextGaussian();
                    case "running_var" -> 0.5 + rnd.nextDouble();
                    case "weight" -> isNorm ? 0.5 + rnd.nextDouble() : rnd.nextGaussian() * Math.sqrt(2.0 / fanIn(t.shape()));
                    case "bias" -> isNorm ? 0.1 * rnd.nextGaussian() : 0.2 * rnd.nextDouble() - 0.1;
                    default -> throw new IllegalStateException("unexpected tensor " + t.name());
                };
            }
            out.put(t.name(), data);
        }
        return new Weights(out);
    }

    private static long fanIn(List<Integer> shape) {
        long n = 1;
        for (int i = 1; i < shape.size(); i++) n *= shape.get(i);
        return Math.max(1, n);
    }

    public float[] get(String name) {
        float[] t = tensors.get(name);
        if (t == null) throw new IllegalArgumentException("no tensor " + name);
        return t;
    }

    /** Names in state_dict order. */
    public Map<String, float[]> all() {
        return tensors;
    }
}
