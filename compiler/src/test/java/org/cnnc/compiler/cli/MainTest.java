package org.cnnc.compiler.cli;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {

    static final String LENET5 = """
            network LeNet5(classes = 10) {
              input 1x28x28
              conv(6, k=5, p=2) -> sigmoid -> avgpool(2)
              -> conv(16, k=5) -> sigmoid -> avgpool(2)
              -> flatten -> fc(120) -> sigmoid -> fc(84) -> sigmoid -> head: fc(classes)
            }
            """;

    @TempDir
    Path dir;

    Path lenet;

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out), new PrintWriter(err));
        Run r = new Run(code, out.toString(), err.toString());
        assertAll("no stack trace in either stream",
                () -> assertFalse(r.out().contains("Exception") || r.err().contains("Exception"), r::toString),
                () -> assertFalse(r.out().contains("\tat ") || r.err().contains("\tat "), r::toString));
        return r;
    }

    @BeforeEach
    void writeLenet() throws IOException {
        lenet = Files.writeString(dir.resolve("lenet5.cnn"), LENET5);
    }

    Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    // ---- success ----

    @Test
    void summaryPrintsEveryLayerAndTheTotals() {
        Run r = run("summary", lenet.toString());
        assertEquals(0, r.code(), r::toString);
        assertEquals("", r.err());
        assertTrue(r.out().startsWith("LeNet5(classes=10)  input 1×28×28, batch 1\n"), r.out());
        assertTrue(r.out().contains("Parameters:          61,706\n"), r.out());
        assertTrue(r.out().contains("MACs:                416,520 "), r.out());
        assertTrue(r.out().contains("Output:              10\n"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("head ") && l.contains("fc 10") && l.contains("850")), r.out());
    }

    @Test
    void summaryTakesParameterOverrides() {
        Run r = run("summary", lenet.toString(), "-P", "classes=3");
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.out().startsWith("LeNet5(classes=3)"), r.out());
        assertTrue(r.out().contains("Output:              3\n"), r.out());
    }

    @Test
    void summaryJsonHasTheTotalsAndEveryLayer() throws IOException {
        Run r = run("summary", "--json", lenet.toString());
        assertEquals(0, r.code(), r::toString);
        assertEquals("", r.err());
        JsonNode root = new ObjectMapper().readTree(r.out());
        assertEquals("LeNet5", root.get("network").asText());
        assertEquals(61_706, root.get("totalParams").asLong());
        assertEquals(416_520, root.get("totalMacs").asLong());
        assertEquals(2 * 416_520, root.get("totalFlops").asLong());
        assertEquals(List.of(10), ints(root.get("output")));
        assertEquals(List.of(1, 28, 28), ints(root.get("input")));
        assertEquals("10", root.get("parameters").get("classes").asText());

        JsonNode layers = root.get("layers");
        assertEquals(12, layers.size(), "every layer but the input");
        List<String> names = new ArrayList<>();
        layers.forEach(l -> names.add(l.get("name").asText()));
        assertEquals(List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "head"), names);

        JsonNode conv1 = layers.get(0);
        assertEquals("conv", conv1.get("op").asText());
        assertEquals(List.of(6, 28, 28), ints(conv1.get("shape")));
        assertEquals(156, conv1.get("params").asLong());
        assertEquals(6L * 28 * 28 * 25, conv1.get("macs").asLong());
        assertEquals(5.0, conv1.get("receptiveField").asDouble(), 1e-9);
        assertEquals(3, conv1.get("line").asInt());
        assertEquals(3, conv1.get("column").asInt());

        JsonNode pool2 = layers.get(5);
        assertEquals("avgpool", pool2.get("op").asText());
        assertEquals(List.of(16, 5, 5), ints(pool2.get("shape")));
        assertEquals(0, pool2.get("params").asLong());
        assertEquals(0, pool2.get("macs").asLong());
        assertEquals(16.0, pool2.get("receptiveField").asDouble(), 1e-9, "5, 6, 6 + 4·2 = 14, 14 + 1·2 = 16");

        JsonNode head = layers.get(11);
        assertEquals("fc", head.get("op").asText());
        assertEquals(List.of(10), ints(head.get("shape")));
        assertEquals(850, head.get("params").asLong());
        assertEquals(840, head.get("macs").asLong());
        assertEquals(32.0, head.get("receptiveField").asDouble(), 1e-9, "flatten reaches across the 5×5 map: 16 + 4·4");
        long sum = 0;
        for (JsonNode l : layers) sum += l.get("params").asLong();
        assertEquals(61_706, sum);
    }

    @Test
    void summaryJsonListsDroppedOptionals() throws IOException {
        Path f = write("opt.cnn", "network A {\n  input 3x2x2\n  maxpool? -> maxpool? -> fc(2)\n}\n");
        Run r = run("summary", "--json", f.toString());
        assertEquals(0, r.code(), r::toString);
        JsonNode dropped = new ObjectMapper().readTree(r.out()).get("droppedOptionals");
        assertEquals(1, dropped.size());
        assertEquals(3, dropped.get(0).get("line").asInt());
        assertEquals(22, dropped.get(0).get("column").asInt());
        assertEquals("maxpool", dropped.get(0).get("element").asText());
    }

    @Test
    void checkPrintsOneLine() {
        Run r = run("check", lenet.toString());
        assertEquals(0, r.code(), r::toString);
        assertEquals("LeNet5: ok (12 layers, output 10, 61,706 parameters)\n", r.out().replace("\r\n", "\n"));
        assertEquals("", r.err());
    }

    @Test
    void checkChoosesANetworkWithDashN() throws IOException {
        Path two = write("two.cnn", LENET5 + "network Tiny {\n  input 4\n  fc(2)\n}\n");
        Run r = run("check", two.toString(), "-n", "Tiny");
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.out().startsWith("Tiny: ok (1 layer, output 2, 10 parameters)"), r.out());
    }

    @Test
    void listExitsZero() {
        Run r = run("list");
        assertEquals(0, r.code(), r::toString);
        assertEquals("", r.err());
    }

    @Test
    void versionExitsZero() {
        Run r = run("--version");
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.out().startsWith("cnnc "), r.out());
    }

    @Test
    void helpExitsZeroAndListsTheCommands() {
        Run r = run("--help");
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.out().contains("Usage: cnnc"), r.out());
        for (String command : List.of("summary", "check", "list")) assertTrue(r.out().contains(command), command);
    }

    @Test
    void summaryHelpExitsZero() {
        Run r = run("summary", "--help");
        assertEquals(0, r.code(), r::toString);
        assertTrue(r.out().contains("Usage: cnnc summary"), r.out());
        assertTrue(r.out().contains("--json"), r.out());
        assertTrue(r.out().contains("-P"), r.out());
    }

    // ---- input errors: exit 1, file:line:col ----

    @Test
    void syntaxErrorExitsOneWithItsPlace() throws IOException {
        Path f = write("bad.cnn", "network A {\n  input 3x8x8\n  conv(8) -> $\n}\n");
        Run r = run("summary", f.toString());
        assertEquals(1, r.code(), r::toString);
        assertEquals("", r.out());
        assertEquals(f + ":3:14: error: unexpected character '$'\n    conv(8) -> $\n               ^\n",
                r.err().replace("\r\n", "\n"));
    }

    @Test
    void elaborationErrorExitsOneWithItsPlace() throws IOException {
        Path f = write("shape.cnn", "network A {\n  input 3x4x4\n  relu -> conv(8, k=5)\n}\n");
        Run r = run("check", f.toString());
        assertEquals(1, r.code(), r::toString);
        assertTrue(r.err().startsWith(f + ":3:11: error: conv k=5 does not fit a 4×4 input with p=0"), r.err());
    }

    @Test
    void undeclaredOverrideExitsOne() {
        Run r = run("summary", lenet.toString(), "-P", "clases=3");
        assertEquals(1, r.code(), r::toString);
        assertTrue(r.err().startsWith(lenet + ":1:9: error: network LeNet5 has no parameter 'clases' (from -P)"), r.err());
        assertTrue(r.err().contains("did you mean 'classes'?"), r.err());
    }

    @Test
    void missingFileExitsOne() {
        Run r = run("summary", dir.resolve("absent.cnn").toString());
        assertEquals(1, r.code(), r::toString);
        assertTrue(r.err().startsWith(dir.resolve("absent.cnn") + ": error: no such file"), r.err());
    }

    @Test
    void unknownStdlibNameExitsOne() {
        Run r = run("summary", "no_such_network");
        assertEquals(1, r.code(), r::toString);
        assertTrue(r.err().startsWith("no_such_network: error: no such file, and no stdlib network of that name"), r.err());
    }

    @Test
    void binaryFileExitsOne() throws IOException {
        Path f = Files.write(dir.resolve("bin.cnn"), new byte[] {1, 0, 2});
        Run r = run("check", f.toString());
        assertEquals(1, r.code(), r::toString);
        assertTrue(r.err().startsWith(f + ": error: this is a binary file"), r.err());
    }

    @Test
    void twoNetworksWithoutDashNExitOne() throws IOException {
        Path two = write("two.cnn", LENET5 + "network Tiny {\n  input 4\n  fc(2)\n}\n");
        Run r = run("summary", two.toString());
        assertEquals(1, r.code(), r::toString);
        assertTrue(r.err().contains("choose one with -n NAME"), r.err());
    }

    @Test
    void deepNestingExitsOne() throws IOException {
        Path f = write("deep.cnn", "network A {\n  input 3x8x8\n  " + "[".repeat(20_000) + "relu" + "]".repeat(20_000) + "\n}\n");
        Run r = run("check", f.toString());
        assertEquals(1, r.code(), r::toString);
        assertTrue(r.err().contains("too deeply"), r.err());
    }

    // ---- usage errors: exit 2 ----

    @Test
    void noCommandIsAUsageError() {
        Run r = run();
        assertEquals(2, r.code(), r::toString);
        assertTrue(r.err().contains("a command is required"), r.err());
    }

    @Test
    void unknownCommandIsAUsageError() {
        assertEquals(2, run("summarise", lenet.toString()).code());
    }

    @Test
    void unknownOptionIsAUsageError() {
        Run r = run("summary", "--jsn", lenet.toString());
        assertEquals(2, r.code(), r::toString);
        assertTrue(r.err().contains("--jsn"), r.err());
    }

    @Test
    void missingFileArgumentIsAUsageError() {
        assertEquals(2, run("summary").code());
    }

    @Test
    void malformedParameterIsAUsageError() {
        assertEquals(2, run("summary", lenet.toString(), "-P", "classes").code());
    }

    @Test
    void batchBelowOneIsAUsageError() {
        Run r = run("summary", lenet.toString(), "--batch", "0");
        assertEquals(2, r.code(), r::toString);
        assertTrue(r.err().contains("--batch must be at least 1"), r.err());
    }

    static List<Integer> ints(JsonNode array) {
        List<Integer> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asInt()));
        return out;
    }
}
