package org.cnnc.compiler.cli;

import java.util.LinkedHashSet;
import java.util.Set;
import org.cnnc.compiler.optimize.Optimizer;
import picocli.CommandLine.Option;

/** {@code -O0|-O1|-O2} and {@code --no-fuse=NAME,...}. */
final class OptimizeOptions {
    @Option(names = "-O", paramLabel = "LEVEL", defaultValue = "2",
            description = "optimization level: 0 runs no graph pass (every layer its own kernel), "
                    + "1 and 2 run the fusions (default: ${DEFAULT-VALUE})")
    int level;

    @Option(names = "--no-fuse", paramLabel = "NAME", split = ",",
            description = "switch off a pass by name (repeatable); see `cnnc explain`")
    Set<String> disabled = new LinkedHashSet<>();

    Optimizer.Settings settings() {
        return new Optimizer.Settings(level, disabled);
    }
}
