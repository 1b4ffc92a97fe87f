package org.cnnc.compiler.diag;

import java.util.List;

/** The text of one .cnn file and the name it is reported under. */
public record SourceFile(String name, String text) {

    public List<String> lines() {
        return text.lines().toList();
    }

    /** The 1-based line {@code line}, or an empty string past the end. */
    public String line(int line) {
        List<String> lines = lines();
        return line >= 1 && line <= lines.size() ? lines.get(line - 1) : "";
    }
}
