package org.cnnc.compiler.cli;

import java.io.PrintWriter;
import java.util.function.Consumer;

/** Progress lines for long work: shown on an interactive terminal, silent otherwise (pipes, CI). */
final class Progress {
    private Progress() {}

    static Consumer<String> to(PrintWriter err) {
        if (System.console() == null) return message -> { };
        return message -> {
            err.println("cnnc: " + message + "...");
            err.flush();
        };
    }
}
