package org.cnnc.compiler.weights;

import org.cnnc.compiler.ir.Graph;
import org.cnnc.compiler.shape.StateDict;

/** The shape StateDict gives a tensor, as an int array. */
final class StateDictShapes {
    private StateDictShapes() {}

    static int[] of(Graph graph, String name) {
        return StateDict.tensors(graph).stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow()
                .shape().stream().mapToInt(Integer::intValue).toArray();
    }
}
