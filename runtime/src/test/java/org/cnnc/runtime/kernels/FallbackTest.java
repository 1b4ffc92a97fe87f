package org.cnnc.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Without jdk.incubator.vector the kernels still load and run, as plain loops, and say so once. */
class FallbackTest {
    @Test
    void runsPlainLoopsAndWarnsOnceWithoutTheVectorModule() throws Exception {
        String classes = Path.of(Conv2d.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        String tests = Path.of(FallbackMain.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path out = Files.createTempFile("cnnc-fallback", ".out"), err = Files.createTempFile("cnnc-fallback", ".err");
        try {
            Process p = new ProcessBuilder(List.of(javaBin, "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp",
                    classes + File.pathSeparator + tests, FallbackMain.class.getName()))
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM timed out");
            String stdout = Files.readString(out, StandardCharsets.UTF_8), stderr = Files.readString(err, StandardCharsets.UTF_8);
            assertEquals(0, p.exitValue(), stdout + stderr);
            assertTrue(stdout.contains("ScalarConv2d 6.0 15.0"), stdout);
            assertTrue(stdout.contains("available=false (plain loops"), stdout);
            assertEquals(1, stderr.split(java.util.regex.Pattern.quote(VectorSupport.WARNING), -1).length - 1, stderr);
            assertTrue(VectorSupport.WARNING.contains("--add-modules jdk.incubator.vector"));
            assertFalse(stderr.contains("incubator modules"), stderr);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
