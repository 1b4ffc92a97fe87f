package org.cnnc.runtime.weights;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every malformed file is a WeightsFormatException naming the file, the tensor at fault and the problem. */
class SafeTensorsValidationTest {
    @TempDir
    Path dir;

    private static String t(String name, String dtype, String shape, String offsets) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":" + offsets + "}";
    }

    /** header JSON, data bytes, fragments the message must contain. */
    static Stream<Arguments> badHeaders() {
        return Stream.of(
                Arguments.of("[1]", 0, new String[] {"does not start with '{'"}),
                Arguments.of("{\"a\":1,}", 0, new String[] {"not valid JSON", "expected a string key", "offset 7"}),
                Arguments.of("{'a':1}", 0, new String[] {"not valid JSON"}),
                Arguments.of("{\"a\":{}", 0, new String[] {"not valid JSON", "end of input"}),
                Arguments.of("{} {}", 0, new String[] {"not valid JSON", "after the JSON value"}),
                Arguments.of("{" + t("w", "F32", "[1]", "[0,4]") + "," + t("w", "F32", "[1]", "[0,4]") + "}", 4,
                        new String[] {"duplicate key \"w\""}),
                Arguments.of("{\"__metadata__\":[\"x\"]}", 0, new String[] {"__metadata__ must be an object of strings"}),
                Arguments.of("{\"__metadata__\":{\"epoch\":3}}", 0, new String[] {"'epoch' holds the number 3"}),
                Arguments.of("{\"w\":[1,2]}", 0, new String[] {"tensor 'w'", "must be an object"}),
                Arguments.of("{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4, new String[] {"tensor 'w'", "has no dtype"}),
                Arguments.of("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4, new String[] {"tensor 'w'", "has no shape"}),
                Arguments.of("{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4, new String[] {"tensor 'w'", "has no data_offsets"}),
                Arguments.of("{" + t("w", "F33", "[1]", "[0,4]") + "}", 4, new String[] {"tensor 'w'", "unknown dtype the string \"F33\""}),
                Arguments.of("{" + t("w", "f32", "[1]", "[0,4]") + "}", 4, new String[] {"tensor 'w'", "unknown dtype"}),
                Arguments.of("{" + t("w", "F32", "[-1]", "[0,4]") + "}", 4, new String[] {"tensor 'w'", "shape must hold non-negative integers", "-1"}),
                Arguments.of("{" + t("w", "F32", "[2.0]", "[0,8]") + "}", 8, new String[] {"tensor 'w'", "shape must hold non-negative integers", "2.0"}),
                Arguments.of("{" + t("w", "F32", "3", "[0,12]") + "}", 12, new String[] {"tensor 'w'", "shape must be an array"}),
                Arguments.of("{" + t("w", "F32", "[1]", "[0]") + "}", 4, new String[] {"tensor 'w'", "data_offsets must be [begin, end]"}),
                Arguments.of("{" + t("w", "F32", "[1]", "[4,0]") + "}", 4, new String[] {"tensor 'w'", "end before they begin"}),
                Arguments.of("{" + t("w", "F32", "[2]", "[0,8]") + "}", 4, new String[] {"tensor 'w'", "[0, 8] run past the end of the data section (4 bytes)"}),
                Arguments.of("{" + t("w", "F32", "[2,3]", "[0,20]") + "}", 20, new String[] {"tensor 'w'", "hold 20 bytes, but F32 [2, 3] needs 24"}),
                Arguments.of("{" + t("w", "F32", "[4294967296,4294967296]", "[0,4]") + "}", 4, new String[] {"tensor 'w'", "more elements than a long"}),
                Arguments.of("{" + t("w", "F32", "[99999999999999999999]", "[0,4]") + "}", 4, new String[] {"tensor 'w'", "shape must hold non-negative integers"}),
                Arguments.of("{" + t("q", "F4", "[3]", "[0,1]") + "}", 1, new String[] {"tensor 'q'", "not a whole number of bytes"}),
                Arguments.of("{" + t("a", "F32", "[2]", "[0,8]") + "," + t("b", "F32", "[2]", "[4,12]") + "}", 12,
                        new String[] {"tensors 'a' [0, 8) and 'b' [4, 12) overlap"}),
                Arguments.of("{" + t("a", "F32", "[2]", "[0,8]") + "," + t("z", "F32", "[0]", "[4,4]") + "}", 8,
                        new String[] {"tensors 'a' [0, 8) and 'z' [4, 4) overlap"}),
                Arguments.of("{" + t("a", "F32", "[1]", "[0,4]") + "," + t("b", "F32", "[1]", "[8,12]") + "}", 12,
                        new String[] {"bytes [4, 8) of the data section belong to no tensor (between 'a' and 'b')"}),
                Arguments.of("{" + t("b", "F32", "[1]", "[4,8]") + "}", 8,
                        new String[] {"bytes [0, 4) of the data section belong to no tensor (before 'b')"}),
                Arguments.of("{" + t("a", "F32", "[1]", "[0,4]") + "}", 6,
                        new String[] {"bytes [4, 6) of the data section belong to no tensor (after 'a')"}),
                Arguments.of("{}", 3, new String[] {"bytes [0, 3)", "the header lists none"}));
    }

    @ParameterizedTest
    @MethodSource("badHeaders")
    void rejectsBadHeadersWithAClearMessage(String json, int dataLength, String[] fragments) throws IOException {
        byte[] bytes = RawFile.of(json, new byte[dataLength]);
        Path file = dir.resolve("bad.safetensors");
        Files.write(file, bytes);
        expectFailure(() -> SafeTensors.open(file).close(), file.toString(), fragments);
        expectFailure(() -> SafeTensors.read(new ByteArrayInputStream(bytes), "res/bad.safetensors").close(),
                "res/bad.safetensors", fragments);
    }

    private static void expectFailure(IoAction action, String source, String... fragments) {
        WeightsFormatException e = assertThrows(WeightsFormatException.class, action::run);
        assertTrue(e.getMessage().startsWith(source + ": "), e.getMessage());
        for (String f : fragments) assertTrue(e.getMessage().contains(f), () -> "\"" + f + "\" not in: " + e.getMessage());
    }

    @FunctionalInterface
    private interface IoAction {
        void run() throws IOException;
    }

    private void expectFileFailure(byte[] bytes, String... fragments) throws IOException {
        Path file = dir.resolve("broken.safetensors");
        Files.write(file, bytes);
        expectFailure(() -> SafeTensors.open(file).close(), file.toString(), fragments);
        expectFailure(() -> SafeTensors.read(new ByteArrayInputStream(bytes), "s").close(), "s", fragments);
    }

    @Test
    void rejectsAFileTooShortForTheLengthField() throws IOException {
        expectFileFailure(new byte[] {2, 0, 0}, "3-byte file is too short");
    }

    @Test
    void rejectsAnAbsurdHeaderLength() throws IOException {
        expectFileFailure(RawFile.concat(RawFile.le64(100_000_001), new byte[16]), "header length 100000001 exceeds the limit");
        expectFileFailure(RawFile.concat(RawFile.le64(-1), new byte[16]), "header length 18446744073709551615 exceeds the limit");
    }

    @Test
    void rejectsAHeaderLengthTooSmallForAnObject() throws IOException {
        expectFileFailure(RawFile.concat(RawFile.le64(1), "{".getBytes(StandardCharsets.UTF_8)), "header length 1 is too small");
    }

    @Test
    void rejectsAHeaderLengthPastTheEndOfTheFile() throws IOException {
        expectFileFailure(RawFile.concat(RawFile.le64(40), "{}".getBytes(StandardCharsets.UTF_8)),
                "header length 40 runs past the end of the file (10 bytes)");
    }

    @Test
    void rejectsAHeaderThatIsNotUtf8() throws IOException {
        byte[] header = {'{', '"', (byte) 0xc3, (byte) 0x28, '"', ':', '1', '}'};
        expectFileFailure(RawFile.of(header, new byte[0]), "header is not valid UTF-8");
    }
}
