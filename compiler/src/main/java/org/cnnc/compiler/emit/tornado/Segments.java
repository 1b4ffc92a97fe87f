package org.cnnc.compiler.emit.tornado;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.cnnc.compiler.emit.tornado.TornadoEmitter.Call;
import org.cnnc.compiler.emit.tornado.TornadoEmitter.Layout;
import org.cnnc.compiler.lower.KernelPlan.Location;

/**
 * How the kernels are split into TaskGraphs. TornadoVM 5.2 holds at most 256 tasks in one graph,
 * and its graph of a TaskGraph has room for 1024 nodes (it cannot grow; TornadoVM refuses to
 * resize it): about three per array (the object, its copy or allocation, its
 * release) and four per task (the task, the write it makes, its two scalars). A network too
 * large for one graph runs as several graphs of one execution plan, each filled up to a node
 * budget with margin, and run one at a time in order ({@code withGraph(s).execute()}).
 *
 * <p>TornadoVM hands a device buffer to a graph ({@code consumeFromDevice}) only from the graph
 * executed just before it, and only when the graphs are executed one by one: a whole-plan
 * {@code execute()} hands nothing over on its first run. So graph s + 1 takes from graph s every
 * buffer live at the boundary between them (written at or before graph s, read after it before
 * being overwritten), including one that graph s only passed on (took from graph s - 1 and did not
 * touch). Only the graph that allocated a buffer's device copy (the one whose tasks wrote it first
 * there) marks it {@code persistOnDevice}: TornadoVM frees a graph's persisted buffers when the
 * plan is closed, and the graphs that take a buffer share its one device copy, which must be freed
 * once. Most networks fit one graph, and then nothing is persisted or consumed.
 */
record Segments(int count, List<Integer> graphOfCall, List<List<Integer>> weights, List<List<Integer>> fresh,
                List<List<Integer>> consumed, List<List<Integer>> persisted, List<Boolean> input, int outputGraph,
                int bytecodeBound) {

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

    /**
     * The buffers live before each call, and after the last (index {@code calls.size()}, empty):
     * those a call at or after it reads before any call overwrites them.
     */
    static List<Set<Integer>> liveBefore(List<Call> calls) {
        List<Set<Integer>> live = new ArrayList<>();
        for (int i = 0; i <= calls.size(); i++) live.add(Set.of());
        Set<Integer> now = new TreeSet<>();
        for (int i = calls.size() - 1; i >= 0; i--) {
            Call c = calls.get(i);
            if (c.kernel().output() instanceof Location.Buffer b) now.remove(b.index());
            for (Location l : c.kernel().inputs()) {
                if (l instanceof Location.Buffer b) now.add(b.index());
            }
            live.set(i, Set.copyOf(now));
        }
        return live;
    }

    /** The arrays one call touches, by name: its weights, its inputs, its output. */
    private static Set<String> arrays(Call c) {
        Set<String> mine = new HashSet<>(c.weightFields());
        for (Location l : c.kernel().inputs()) mine.add(l.toString());
        mine.add(c.kernel().output().toString());
        return mine;
    }

    /**
     * Where each graph starts: kernels are added to a graph while its estimated nodes and tasks
     * stay within bounds, counting the buffers it takes from the graph before (passed through or not).
     */
    static List<Integer> starts(Layout layout) {
        List<Call> calls = layout.calls();
        List<Set<Integer>> live = liveBefore(calls);
        List<Integer> starts = new ArrayList<>(List.of(0));
        Set<String> arrays = new HashSet<>();
        int tasks = 0;
        for (int i = 0; i < calls.size(); i++) {
            Set<String> after = new HashSet<>(arrays);
            after.addAll(arrays(calls.get(i)));
            if (tasks > 0 && (tasks + 1 > TASKS_PER_GRAPH || nodes(after.size(), tasks + 1) > NODES_PER_GRAPH)) {
                starts.add(i);
                after = arrays(calls.get(i));
                for (int b : live.get(i)) after.add(new Location.Buffer(b).toString());
                tasks = 0;
            }
            arrays = after;
            tasks++;
        }
        return starts;
    }

    static Segments of(Layout layout) {
        List<Call> calls = layout.calls();
        List<Set<Integer>> live = liveBefore(calls);
        List<Integer> starts = starts(layout);
        int count = starts.size();
        List<Integer> graphOf = new ArrayList<>();
        for (int i = 0, s = 0; i < calls.size(); i++) {
            if (s + 1 < count && i == starts.get(s + 1)) s++;
            graphOf.add(s);
        }
        List<List<Integer>> weights = new ArrayList<>(), fresh = new ArrayList<>(), consumed = new ArrayList<>(),
                persisted = new ArrayList<>();
        List<Boolean> input = new ArrayList<>();
        Set<Integer> written = new HashSet<>();
        int outputGraph = count - 1, bound = 0;
        for (int s = 0; s < count; s++) {
            int first = starts.get(s), end = s + 1 < count ? starts.get(s + 1) : calls.size();
            LinkedHashSet<Integer> w = new LinkedHashSet<>(), f = new LinkedHashSet<>();
            Set<Integer> taken = s == 0 ? Set.of() : live.get(first);
            for (int b : taken) {
                if (!written.contains(b)) throw new IllegalStateException("buffer " + b + " read before any kernel writes it");
            }
            boolean readsInput = false;
            int args = 0;
            List<Call> mine = calls.subList(first, end);
            for (Call call : mine) {
                for (String field : call.weightFields()) w.add(layout.deviceArrays().indexOf(field));
                for (Location l : call.kernel().inputs()) {
                    if (l instanceof Location.Input) readsInput = true;
                    if (l instanceof Location.Buffer b && !taken.contains(b.index()) && !f.contains(b.index())) {
                        throw new IllegalStateException("buffer " + b.index() + " read before any kernel writes it");
                    }
                }
                Location out = call.kernel().output();
                if (out instanceof Location.Output) outputGraph = s;
                if (out instanceof Location.Buffer b && !taken.contains(b.index())) f.add(b.index());
                args += call.kernel().inputs().size() + call.weightFields().size() + 3;
            }
            for (Call call : mine) {
                if (call.kernel().output() instanceof Location.Buffer b) written.add(b.index());
            }
            weights.add(List.copyOf(w));
            fresh.add(List.copyOf(f));
            consumed.add(List.copyOf(new TreeSet<>(taken)));
            Set<Integer> kept = new TreeSet<>(s + 1 < count ? live.get(end) : Set.of());
            kept.retainAll(f);
            persisted.add(List.copyOf(kept));
            input.add(readsInput);
            int objects = w.size() + f.size() + taken.size() + 2;
            bound = Math.max(bound, 512 + 96 * objects + 64 * mine.size() + 16 * args);
        }
        return new Segments(count, List.copyOf(graphOf), weights, fresh, consumed, persisted, List.copyOf(input), outputGraph, bound);
    }
}
