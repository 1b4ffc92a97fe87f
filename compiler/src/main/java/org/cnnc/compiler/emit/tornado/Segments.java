package org.cnnc.compiler.emit.tornado;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.cnnc.compiler.emit.tornado.TornadoEmitter.Call;
import org.cnnc.compiler.emit.tornado.TornadoEmitter.Layout;
import org.cnnc.compiler.lower.KernelPlan.Location;

/**
 * How the kernels are split into TaskGraphs. TornadoVM 5.2 holds at most 256 tasks in one graph,
 * and its graph of a TaskGraph has room for 1024 nodes (it cannot grow; TornadoVM refuses to
 * resize it): about three per array (the object, its copy or allocation, its
 * release) and four per task (the task, the write it makes, its two scalars). A network too
 * large for one graph runs as several graphs of one execution plan, in order, each filled up
 * to a node budget with margin. A buffer that a graph reads before writing was filled by an
 * earlier graph: that graph keeps it on the device ({@code persistOnDevice}) and this one
 * takes it from there ({@code consumeFromDevice}). Most networks fit one graph, and then
 * nothing is persisted or consumed.
 */
record Segments(int count, List<Integer> graphOfCall, List<List<Integer>> weights, List<List<Integer>> fresh,
                List<List<Integer>> consumed, List<List<Integer>> consumedFrom, List<List<Integer>> persisted,
                List<Boolean> input, int outputGraph, int bytecodeBound) {

    /** Tasks per TaskGraph at most, within TornadoVM's 256. */
    static final int TASKS_PER_GRAPH = 192;
    /** Estimated TornadoVM graph nodes per TaskGraph at most, within its fixed 1024. */
    static final int NODES_PER_GRAPH = 800;

    int graphOf(int call) {
        return graphOfCall.get(call);
    }

    /** An upper estimate of the nodes of TornadoVM's graph for {@code arrays} arrays and {@code tasks} tasks. */
    static int nodes(int arrays, int tasks) {
        return 16 + 3 * arrays + 4 * tasks;
    }

    /** Where each graph starts: kernels are added to a graph while its estimated nodes and tasks stay within bounds. */
    static List<Integer> starts(Layout layout) {
        List<Integer> starts = new ArrayList<>(List.of(0));
        Set<String> arrays = new java.util.HashSet<>();
        int tasks = 0;
        for (int i = 0; i < layout.calls().size(); i++) {
            Call c = layout.calls().get(i);
            Set<String> mine = new java.util.HashSet<>(c.weightFields());
            for (Location l : c.kernel().inputs()) mine.add(l.toString());
            mine.add(c.kernel().output().toString());
            Set<String> after = new java.util.HashSet<>(arrays);
            after.addAll(mine);
            if (tasks > 0 && (tasks + 1 > TASKS_PER_GRAPH || nodes(after.size(), tasks + 1) > NODES_PER_GRAPH)) {
                starts.add(i);
                arrays.clear();
                after = mine;
                tasks = 0;
            }
            arrays = after;
            tasks++;
        }
        return starts;
    }

    static Segments of(Layout layout) {
        List<Call> calls = layout.calls();
        List<Integer> starts = starts(layout);
        int count = starts.size();
        List<Integer> graphOf = new ArrayList<>();
        for (int i = 0, s = 0; i < calls.size(); i++) {
            if (s + 1 < count && i == starts.get(s + 1)) s++;
            graphOf.add(s);
        }
        List<List<Integer>> weights = new ArrayList<>(), fresh = new ArrayList<>(), consumed = new ArrayList<>(),
                consumedFrom = new ArrayList<>(), persisted = new ArrayList<>();
        List<Boolean> input = new ArrayList<>();
        List<Set<Integer>> keep = new ArrayList<>();
        Map<Integer, Integer> lastWriter = new HashMap<>();   // buffer → graph whose task wrote it last
        int outputGraph = count - 1, bound = 0;
        for (int s = 0; s < count; s++) {
            LinkedHashSet<Integer> w = new LinkedHashSet<>(), f = new LinkedHashSet<>(), c = new LinkedHashSet<>();
            List<Integer> from = new ArrayList<>();
            Set<Integer> seen = new java.util.HashSet<>();
            boolean readsInput = false;
            int args = 0;
            List<Call> mine = calls.subList(starts.get(s), s + 1 < count ? starts.get(s + 1) : calls.size());
            keep.add(new LinkedHashSet<>());
            for (Call call : mine) {
                for (String field : call.weightFields()) w.add(layout.deviceArrays().indexOf(field));
                for (Location l : call.kernel().inputs()) {
                    if (l instanceof Location.Input) readsInput = true;
                    if (l instanceof Location.Buffer b && seen.add(b.index())) {
                        Integer writer = lastWriter.get(b.index());
                        if (writer == null) throw new IllegalStateException("buffer " + b.index() + " read before any kernel writes it");
                        c.add(b.index());
                        from.add(writer);
                        keep.get(writer).add(b.index());
                    }
                }
                Location out = call.kernel().output();
                if (out instanceof Location.Output) outputGraph = s;
                if (out instanceof Location.Buffer b && seen.add(b.index())) f.add(b.index());
                args += call.kernel().inputs().size() + call.weightFields().size() + 3;
            }
            for (Call call : mine) {
                if (call.kernel().output() instanceof Location.Buffer b) lastWriter.put(b.index(), s);
            }
            weights.add(List.copyOf(w));
            fresh.add(List.copyOf(f));
            consumed.add(List.copyOf(c));
            consumedFrom.add(List.copyOf(from));
            input.add(readsInput);
            int objects = w.size() + f.size() + c.size() + 2;
            bound = Math.max(bound, 512 + 96 * objects + 64 * mine.size() + 16 * args);
        }
        for (Set<Integer> k : keep) persisted.add(List.copyOf(k));
        return new Segments(count, List.copyOf(graphOf), weights, fresh, consumed, consumedFrom, persisted, List.copyOf(input),
                outputGraph, bound);
    }
}
