package org.cnnc.compiler.emit;

import java.util.ArrayList;
import java.util.List;

/** Named integer constants declared at the top of a kernel, so that loops read like the formula. */
public final class Constants {
    private final List<String> parts = new ArrayList<>();

    public Constants add(String name, long value) {
        if (value > Integer.MAX_VALUE) throw new IllegalArgumentException(name + " = " + value + " does not fit an int");
        parts.add(name + " = " + value);
        return this;
    }

    public String declaration() {
        return parts.isEmpty() ? "" : "final int " + String.join(", ", parts) + ";\n";
    }
}
