package org.cnnc.compiler.optimize;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.cnnc.compiler.ir.Graph;
import org.cnnc.compiler.ir.Node;

/**
 * A graph being rewritten by one pass: nodes can be replaced, and a node can be merged into
 * another that then produces its value. {@link #build} renumbers the survivors densely, keeping
 * their order (which stays topological, as every merge folds a node into an earlier one).
 */
final class Rewrite {
    private final Graph graph;
    private final Node[] nodes;
    private final int[] target;
    private final List<Set<Integer>> consumers = new ArrayList<>();

    Rewrite(Graph graph) {
        this.graph = graph;
        int n = graph.nodes().size();
        nodes = graph.nodes().toArray(new Node[0]);
        target = new int[n];
        for (int i = 0; i < n; i++) {
            target[i] = i;
            consumers.add(new LinkedHashSet<>());
        }
        for (Node node : graph.nodes()) for (int in : node.inputs()) consumers.get(in).add(node.id());
    }

    /** The node (by original id) that now produces the value of {@code id}. */
    int resolve(int id) {
        while (target[id] != id) id = target[id];
        return id;
    }

    Node node(int id) {
        return nodes[resolve(id)];
    }

    /** The live nodes that read the value of {@code id}. */
    Set<Integer> consumersOf(int id) {
        Set<Integer> out = new LinkedHashSet<>();
        for (int c : consumers.get(resolve(id))) out.add(resolve(c));
        return out;
    }

    /** True when nothing but {@code consumer} reads {@code producer}'s value, and it is not the network's output. */
    boolean onlyReadBy(int producer, int consumer) {
        return resolve(graph.output()) != resolve(producer) && consumersOf(producer).equals(Set.of(resolve(consumer)));
    }

    boolean isOutput(int id) {
        return resolve(graph.output()) == resolve(id);
    }

    /** {@code gone}'s value is now produced by {@code into}, which becomes {@code merged}. */
    void merge(int gone, int into, Node merged) {
        int g = resolve(gone), p = resolve(into);
        nodes[p] = merged;
        target[g] = p;
        Set<Integer> readers = new HashSet<>(consumers.get(p));
        readers.remove(g);
        readers.addAll(consumers.get(g));
        consumers.set(p, readers);
    }

    /**
     * {@code gone}, read by nothing but {@code reader}, disappears into it: {@code reader}
     * becomes {@code merged} (which now reads what {@code gone} read).
     */
    void absorbInto(int gone, int reader, Node merged) {
        int g = resolve(gone), r = resolve(reader);
        nodes[r] = merged;
        target[g] = r;
    }

    /** The input ids of a live node, resolved to live producers. */
    List<Integer> inputs(int id) {
        return nodes[resolve(id)].inputs().stream().map(this::resolve).toList();
    }

    Graph build() {
        int n = nodes.length;
        int[] newId = new int[n];
        List<Node> out = new ArrayList<>();
        int live = 0;
        for (int i = 0; i < n; i++) {
            if (target[i] == i) newId[i] = live++;
        }
        for (int i = 0; i < n; i++) {
            if (target[i] == i) out.add(nodes[i].renumbered(id -> newId[resolve(id)]));
        }
        return new Graph(graph.name(), graph.parameters(), out, newId[resolve(graph.output())], graph.dropped());
    }
}
