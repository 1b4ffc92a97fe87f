package org.cnnc.compiler;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.cnnc.compiler.diag.SourceFile;

/**
 * The standard networks: .cnn files on the class path under {@code cnnc/stdlib/}, listed in
 * {@code cnnc/stdlib/index.txt}. A network's stdlib NAME is its file's name without extension.
 */
public final class StdLib {
    private static final String ROOT = "cnnc/stdlib/";

    private StdLib() {}

    public static List<String> names() {
        return read(ROOT + "index.txt")
                .map(text -> text.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList())
                .orElse(List.of());
    }

    public static Optional<SourceFile> find(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (!n.matches("[a-z0-9_]+")) return Optional.empty();
        return read(ROOT + n + ".cnn").map(text -> new SourceFile("stdlib:" + n + ".cnn", text));
    }

    private static Optional<String> read(String resource) {
        try (InputStream in = StdLib.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) return Optional.empty();
            return Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
