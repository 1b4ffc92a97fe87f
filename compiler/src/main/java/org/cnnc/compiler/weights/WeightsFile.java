package org.cnnc.compiler.weights;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.cnnc.compiler.diag.CompileError;
import org.cnnc.compiler.diag.Pos;
import org.cnnc.compiler.diag.Suggest;
import org.cnnc.compiler.ir.Graph;
import org.cnnc.compiler.shape.StateDict;
import org.cnnc.runtime.weights.DType;
import org.cnnc.runtime.weights.SafeTensors;
import org.cnnc.runtime.weights.SafeTensorsWriter;
import org.cnnc.runtime.weights.TensorInfo;

/**
 * Reads a network's weights from a safetensors file and checks every tensor against the
 * network before anything is emitted: a missing, extra, misshapen or non-float tensor is an
 * error naming it. BatchNorm's {@code num_batches_tracked} is accepted and ignored.
 */
public final class WeightsFile {
    private static final Set<DType> FLOATS = Set.of(DType.F32, DType.F16, DType.BF16);

    private WeightsFile() {}

    public static Weights read(Path file, Graph graph) {
        Pos where = Pos.none(file.toString());
        try (SafeTensors st = SafeTensors.open(file)) {
            Map<String, TensorInfo> present = st.tensors();
            List<StateDict.Tensor> wanted = StateDict.tensors(graph);
            Set<String> wantedNames = new TreeSet<>();
            wanted.forEach(t -> wantedNames.add(t.name()));

            List<String> problems = new ArrayList<>();
            for (StateDict.Tensor t : wanted) {
                TensorInfo info = present.get(t.name());
                if (info == null) {
                    problems.add("missing tensor '" + t.name() + "' " + t.shape()
                            + Suggest.didYouMean(t.name(), present.keySet()).replace(";", ","));
                } else if (!Arrays.equals(info.shape(), t.shape().stream().mapToLong(Integer::longValue).toArray())) {
                    problems.add("tensor '" + t.name() + "' has shape " + Arrays.toString(info.shape())
                            + " but the network needs " + t.shape());
                } else if (!FLOATS.contains(info.dtype())) {
                    problems.add("tensor '" + t.name() + "' is " + info.dtype() + "; weights must be F32 (or F16/BF16)");
                }
            }
            for (String name : present.keySet()) {
                if (!wantedNames.contains(name) && !name.endsWith(".num_batches_tracked")) {
                    problems.add("extra tensor '" + name + "' that the network does not have"
                            + Suggest.didYouMean(name, wantedNames).replace(";", ","));
                }
            }
            if (!problems.isEmpty()) {
                String shown = String.join("\n  ", problems.subList(0, Math.min(problems.size(), 20)));
                String more = problems.size() > 20 ? "\n  ... and " + (problems.size() - 20) + " more" : "";
                throw new CompileError(where, "the weights do not fit network " + graph.name() + ":\n  " + shown + more);
            }
            Map<String, float[]> data = new LinkedHashMap<>();
            for (StateDict.Tensor t : wanted) data.put(t.name(), st.floats(t.name()));
            return Weights.of(graph, data);
        } catch (NoSuchFileException e) {
            throw new CompileError(where, "no such weights file");
        } catch (IOException e) {
            throw new CompileError(where, "cannot read the weights: " + e.getMessage());
        }
    }

    /** Writes weights as F32 safetensors in state_dict order, with the given metadata. */
    public static void write(Weights weights, Graph graph, Path file, Map<String, String> metadata) throws IOException {
        SafeTensorsWriter writer = new SafeTensorsWriter();
        metadata.forEach(writer::metadata);
        for (StateDict.Tensor t : StateDict.tensors(graph)) {
            writer.add(t.name(), t.shape().stream().mapToInt(Integer::intValue).toArray(), weights.get(t.name()));
        }
        writer.write(file);
    }
}
