package org.cnnc.runtime.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LargeFileTest {
    @TempDir
    Path dir;

    /**
     * A sparse file of just over 2 GiB: a padding tensor (never read, so never touched on disk)
     * puts a small F32 tensor past the 2 GiB mark, where one MappedByteBuffer cannot reach.
     */
    @Test
    void readsATensorBeyondTwoGibibytes() throws IOException {
        long padding = (1L << 31) + 4099; // past 2 GiB and not page aligned
        float[] values = {1.0f, -0.5f, 3.0e-8f, Float.MAX_VALUE, Float.MIN_VALUE};
        String json = "{\"padding\":{\"dtype\":\"U8\",\"shape\":[" + padding + "],\"data_offsets\":[0," + padding + "]},"
                + "\"far.weight\":{\"dtype\":\"F32\",\"shape\":[5],\"data_offsets\":[" + padding + "," + (padding + 20) + "]}}";
        byte[] header = json.getBytes(StandardCharsets.UTF_8);
        long dataStart = 8 + header.length;
        Path file = dir.resolve("large.safetensors");
        try {
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
                raf.setLength(dataStart + padding + 20);
                raf.write(RawFile.le64(header.length));
                raf.write(header);
                raf.seek(dataStart + padding);
                raf.write(RawFile.f32(values));
            }
            assertTrue(Files.size(file) > 1L << 31);
            try (SafeTensors st = SafeTensors.open(file)) {
                assertEquals(padding, st.tensor("padding").byteLength());
                assertEquals(padding, st.tensor("far.weight").begin());
                assertArrayEquals(values, st.floats("far.weight"));
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
