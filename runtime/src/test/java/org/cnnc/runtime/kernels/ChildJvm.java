package org.cnnc.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A main class of these tests run in a JVM of its own, with the runtime's classes and the tests'
 * on its class path: for what a test cannot set in the JVM it runs in (modules, JIT options).
 */
final class ChildJvm {
    /** The child's exit value and what it printed. */
    record Result(int exit, String stdout, String stderr) {}

    private ChildJvm() {}

    static Result run(List<String> options, Class<?> main, long timeoutSeconds) throws Exception {
        String classes = Path.of(Conv2d.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        String tests = Path.of(main.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(options);
        command.addAll(List.of("-cp", classes + File.pathSeparator + tests, main.getName()));
        Path out = Files.createTempFile("cnnc-child", ".out"), err = Files.createTempFile("cnnc-child", ".err");
        try {
            Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            assertTrue(p.waitFor(timeoutSeconds, TimeUnit.SECONDS), "child JVM timed out");
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
