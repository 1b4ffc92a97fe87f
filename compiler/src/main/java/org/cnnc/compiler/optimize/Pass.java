package org.cnnc.compiler.optimize;

import java.util.List;
import org.cnnc.compiler.ir.Graph;

/** One graph transformation: a name to switch it off by, the lowest -O level that runs it, and what it is for. */
public interface Pass {
    String name();

    int level();

    String purpose();

    Result run(Graph graph);

    /** The rewritten graph and one line per change, for {@code cnnc explain}. */
    record Result(Graph graph, List<String> changes) {
        public Result {
            changes = List.copyOf(changes);
        }
    }
}
