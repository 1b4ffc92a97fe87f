package org.cnnc.compiler.emit.tornado;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.cnnc.compiler.diag.CompileError;
import org.cnnc.compiler.diag.Pos;

/**
 * Finds TornadoVM's API jar ({@code tornado-api-*.jar}), which the tornadovm target compiles
 * against: the jar given with {@code --tornado-api}, else the one in the SDK that
 * {@code TORNADO_SDK} (or {@code TORNADOVM_HOME}, the name TornadoVM uses now) points at, under
 * {@code share/java/tornado/}. The jar is needed to compile, never to run: it is not copied
 * into the model jar.
 */
public final class TornadoApi {
    /** Where a TornadoVM SDK keeps its jars. */
    static final String SDK_JARS = "share/java/tornado";
    /** A class every TornadoVM API jar has. */
    static final String PROBE = "uk/ac/manchester/tornado/api/TaskGraph.class";

    private TornadoApi() {}

    /**
     * The API jar: {@code explicit} if given, else the one in the SDK named by the environment
     * ({@code env} maps a variable's name to its value, or null). A missing or wrong jar is a
     * {@link CompileError} that says what to set.
     */
    public static Path locate(Path explicit, Function<String, String> env) {
        if (explicit != null) return checked(explicit, "--tornado-api");
        for (String variable : List.of("TORNADO_SDK", "TORNADOVM_HOME")) {
            String sdk = env.apply(variable);
            if (sdk == null || sdk.isBlank()) continue;
            Path dir = Path.of(sdk).resolve(SDK_JARS);
            List<Path> jars = new ArrayList<>();
            if (Files.isDirectory(dir)) {
                try (Stream<Path> files = Files.list(dir)) {
                    files.filter(p -> p.getFileName().toString().matches("tornado-api-.*\\.jar")).sorted().forEach(jars::add);
                } catch (IOException e) {
                    throw new CompileError(Pos.none(dir.toString()), "cannot list TornadoVM's jars: " + e.getMessage());
                }
            }
            if (jars.isEmpty()) {
                throw new CompileError(Pos.none(variable), variable + "=" + sdk + " has no tornado-api-*.jar under " + SDK_JARS
                        + "/: point it at a TornadoVM SDK (the directory holding bin/ and share/), or pass --tornado-api JAR");
            }
            return checked(jars.get(jars.size() - 1), variable);
        }
        throw new CompileError(Pos.none("--target tornadovm"), "the tornadovm target compiles against TornadoVM's API jar, "
                + "which was not found: set TORNADO_SDK (or TORNADOVM_HOME) to a TornadoVM SDK, or pass --tornado-api "
                + "tornado-api-VERSION.jar. Without it, `cnnc emit --target tornadovm` still writes the sources, "
                + "and `cnnc build` (the jvm target) builds a model that needs no TornadoVM");
    }

    private static Path checked(Path jar, String from) {
        if (!Files.isRegularFile(jar)) throw new CompileError(Pos.none(from), "no such file: " + jar);
        try (JarFile j = new JarFile(jar.toFile())) {
            if (j.getEntry(PROBE) == null) {
                throw new CompileError(Pos.none(from), jar + " is not TornadoVM's API jar (it has no "
                        + PROBE.replace('/', '.').replace(".class", "") + ")");
            }
        } catch (IOException e) {
            throw new CompileError(Pos.none(from), jar + " is not a jar: " + e.getMessage());
        }
        return jar;
    }
}
