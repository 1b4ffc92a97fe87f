package org.cnnc.compiler.emit.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.cnnc.compiler.cli.Main;
import org.cnnc.compiler.diag.CompileError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --target tornadovm} on the command line, and how TornadoVM's API jar is found. */
class TornadoCommandLineTest {
    record Result(int code, String out, String err) {}

    static Result cnnc(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Result(code, out.toString(), err.toString());
    }

    static void assumeNoTornadoSdk() {
        assumeTrue(System.getenv("TORNADO_SDK") == null && System.getenv("TORNADOVM_HOME") == null,
                "a TornadoVM SDK is configured here; these tests are about its absence");
    }

    static final String NET = """
            network Small {
              input 1x8x8
              conv(4, k=3, p=1) -> relu -> maxpool -> fc(10)
            }
            """;

    static String net(Path dir) throws IOException {
        return Files.writeString(dir.resolve("small.cnn"), NET).toString();
    }

    @Test
    void emitWritesTheFourSourcesWithoutTornadoVm(@TempDir Path dir) throws IOException {
        Result r = cnnc("emit", net(dir), "--target", "tornadovm", "-d", dir.toString());
        assertEquals(0, r.code(), r.err());
        List<String> written = r.out().lines().map(l -> Path.of(l).getFileName().toString()).toList();
        assertEquals(List.of("Small.java", "SmallJvmKernels.java", "SmallKernels.java", "SmallTaskGraph.java"), written);
        assertTrue(Files.readString(dir.resolve("cnnc/models/Small.java")).contains("Map.entry(\"target\", \"tornadovm\")"));
    }

    @Test
    void buildSaysWhatIsMissingWithoutTornadoVmsApiJar(@TempDir Path dir) throws IOException {
        assumeNoTornadoSdk();
        Result r = cnnc("build", net(dir), "--target", "tornadovm", "-o", dir.resolve("m.jar").toString());
        assertEquals(Main.EXIT_INPUT_ERROR, r.code());
        assertTrue(r.err().contains("the tornadovm target compiles against TornadoVM's API jar, which was not found: "
                + "set TORNADO_SDK (or TORNADOVM_HOME) to a TornadoVM SDK, or pass --tornado-api"), r.err());
        assertTrue(r.err().contains("`cnnc emit --target tornadovm` still writes the sources"), r.err());
        assertFalse(Files.exists(dir.resolve("m.jar")));
    }

    @Test
    void buildRejectsAJarThatIsNotTornadoVmsApi(@TempDir Path dir) throws IOException {
        Path jar = jar(dir.resolve("other.jar"), "org/example/Thing.class");
        Result r = cnnc("build", net(dir), "--target", "tornadovm", "--tornado-api", jar.toString(),
                "-o", dir.resolve("m.jar").toString());
        assertEquals(Main.EXIT_INPUT_ERROR, r.code());
        assertTrue(r.err().contains("is not TornadoVM's API jar (it has no uk.ac.manchester.tornado.api.TaskGraph)"), r.err());
    }

    @Test
    void anUnknownTargetIsAnErrorThatListsTheTargets(@TempDir Path dir) throws IOException {
        Result r = cnnc("emit", net(dir), "--target", "cuda", "-d", dir.toString());
        assertEquals(Main.EXIT_INPUT_ERROR, r.code());
        assertTrue(r.err().contains("there is no target 'cuda': the targets are jvm and tornadovm"), r.err());
    }

    @Test
    void findsTheApiJarInTheSdkThatTheEnvironmentNames(@TempDir Path sdk) throws IOException {
        Path jars = Files.createDirectories(sdk.resolve("share/java/tornado"));
        jar(jars.resolve("tornado-runtime-5.2.1-jdk25.jar"), "uk/ac/manchester/tornado/runtime/X.class");
        Path api = jar(jars.resolve("tornado-api-5.2.1-jdk25.jar"), TornadoApi.PROBE);
        assertEquals(api, TornadoApi.locate(null, Map.of("TORNADO_SDK", sdk.toString())::get));
        assertEquals(api, TornadoApi.locate(null, Map.of("TORNADOVM_HOME", sdk.toString())::get));
        Path explicit = jar(sdk.resolve("tornado-api-other.jar"), TornadoApi.PROBE);
        assertEquals(explicit, TornadoApi.locate(explicit, Map.of("TORNADO_SDK", sdk.toString())::get), "--tornado-api wins");
    }

    @Test
    void anSdkWithoutTheApiJarIsAnErrorNamingTheVariable(@TempDir Path sdk) {
        CompileError e = assertThrows(CompileError.class, () -> TornadoApi.locate(null, Map.of("TORNADO_SDK", sdk.toString())::get));
        assertTrue(e.getMessage().contains("TORNADO_SDK=" + sdk + " has no tornado-api-*.jar under share/java/tornado/"), e.getMessage());
    }

    /** A jar holding one empty entry: enough for the locator, which only looks for the entry's name. */
    static Path jar(Path file, String entry) throws IOException {
        try (OutputStream out = Files.newOutputStream(file); JarOutputStream j = new JarOutputStream(out)) {
            j.putNextEntry(new JarEntry(entry));
            j.closeEntry();
        }
        return file;
    }
}
