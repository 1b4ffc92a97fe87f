package org.cnnc.compiler.export;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Decodes protocol-buffer wire format into fields, so tests can read what the exporter wrote. */
final class WireReader {
    private WireReader() {}

    /** One field: a varint or fixed32 value, or the bytes of a length-delimited one. */
    record Field(int number, int wireType, long value, byte[] bytes) {
        String string() {
            return new String(bytes, StandardCharsets.UTF_8);
        }

        List<Field> message() {
            return parse(bytes);
        }
    }

    static List<Field> parse(byte[] data) {
        List<Field> fields = new ArrayList<>();
        int[] pos = {0};
        while (pos[0] < data.length) {
            long key = varint(data, pos);
            int number = (int) (key >>> 3), type = (int) (key & 7);
            switch (type) {
                case 0 -> fields.add(new Field(number, type, varint(data, pos), null));
                case 5 -> {
                    int v = (data[pos[0]] & 0xFF) | (data[pos[0] + 1] & 0xFF) << 8 | (data[pos[0] + 2] & 0xFF) << 16
                            | (data[pos[0] + 3] & 0xFF) << 24;
                    pos[0] += 4;
                    fields.add(new Field(number, type, v, null));
                }
                case 2 -> {
                    int len = Math.toIntExact(varint(data, pos));
                    fields.add(new Field(number, type, 0, Arrays.copyOfRange(data, pos[0], pos[0] + len)));
                    pos[0] += len;
                }
                default -> throw new IllegalArgumentException("wire type " + type + " at byte " + pos[0]);
            }
        }
        return fields;
    }

    static List<Field> all(List<Field> fields, int number) {
        return fields.stream().filter(f -> f.number() == number).toList();
    }

    static Field one(List<Field> fields, int number) {
        List<Field> found = all(fields, number);
        if (found.size() != 1) throw new AssertionError(found.size() + " fields numbered " + number);
        return found.get(0);
    }

    private static long varint(byte[] data, int[] pos) {
        long v = 0;
        for (int shift = 0; ; shift += 7) {
            byte b = data[pos[0]++];
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) return v;
        }
    }
}
