package org.cnnc.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Without jdk.incubator.vector the kernels still load and run, as plain loops, and say so once. */
class FallbackTest {
    @Test
    void runsPlainLoopsAndWarnsOnceWithoutTheVectorModule() throws Exception {
        ChildJvm.Result r = ChildJvm.run(List.of("-Xshare:auto", "-XX:TieredStopAtLevel=1"), FallbackMain.class, 60);
        String stdout = r.stdout(), stderr = r.stderr();
        assertEquals(0, r.exit(), stdout + stderr);
        assertTrue(stdout.contains("ScalarConv2d 6.0 15.0"), stdout);
        assertTrue(stdout.contains("available=false (plain loops"), stdout);
        assertEquals(1, stderr.split(java.util.regex.Pattern.quote(VectorSupport.WARNING), -1).length - 1, stderr);
        assertTrue(VectorSupport.WARNING.contains("--add-modules jdk.incubator.vector"));
        assertFalse(stderr.contains("incubator modules"), stderr);
    }
}
