package org.cnnc.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The output channels along the lanes allocate nothing per call even where C2 runs short of its
 * inlining budget: a scatter it does not inline boxes its vector on every call. With the budget
 * cut to a tenth of the default ({@code -XX:LiveNodeCountInliningCutoff=4000}), the register tile
 * that scattered its own 21 vectors allocated 1.3 MB per ResNet-50 call; the scatter is now a
 * small method of its own.
 */
class LanesAllocationTest {
    static final double MOST_BYTES_PER_CALL = 16;

    @Test
    void allocatesNothingPerCallOnAShortInliningBudget() throws Exception {
        assumeTrue(VectorOps.VL == 16, "the output channels run along the lanes with 16-float vectors only");
        String classes = Path.of(Conv2d.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        String tests = Path.of(LanesAllocationMain.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path out = Files.createTempFile("cnnc-lanes", ".out"), err = Files.createTempFile("cnnc-lanes", ".err");
        try {
            Process p = new ProcessBuilder(List.of(javaBin, "-XX:LiveNodeCountInliningCutoff=4000", "--add-modules",
                    "jdk.incubator.vector", "-Dcnnc.warmup=false", "-cp", classes + File.pathSeparator + tests,
                    LanesAllocationMain.class.getName()))
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child JVM timed out");
            String stdout = Files.readString(out, StandardCharsets.UTF_8), stderr = Files.readString(err, StandardCharsets.UTF_8);
            assertEquals(0, p.exitValue(), stdout + stderr);
            assertTrue(stdout.startsWith("VectorChannelLanesConv "), stdout);
            double perCall = Double.parseDouble(stdout.split(" ")[1]);
            assertTrue(perCall < MOST_BYTES_PER_CALL, stdout);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
