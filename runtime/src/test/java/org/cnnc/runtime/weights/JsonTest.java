package org.cnnc.runtime.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {

    @Test
    void readsEveryKindOfValue() throws Exception {
        Object v = Json.parse(" {\"b\" : [1, -2, 0, 1.5, -0.25e2, 1E3, 9223372036854775807, 9223372036854775808],"
                + "\"a\":{\"t\":true,\"f\":false,\"n\":null,\"s\":\"x\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\"}} \r\n\t");
        Map<?, ?> root = (Map<?, ?>) v;
        assertEquals(List.of("b", "a"), new ArrayList<>(root.keySet()), "document order kept");
        assertEquals(List.of(1L, -2L, 0L, 1.5, -25.0, 1000.0, Long.MAX_VALUE, new BigInteger("9223372036854775808")), root.get("b"));
        Map<?, ?> a = (Map<?, ?>) root.get("a");
        assertEquals(Boolean.TRUE, a.get("t"));
        assertEquals(Boolean.FALSE, a.get("f"));
        assertSame(Json.NULL, a.get("n"));
        assertEquals("x\"\\/\b\f\n\r\t\u00e9\ud83d\ude00", a.get("s"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "{", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "[1,]", "[1 2]", "{a:1}", "{'a':1}", "01", "-", "1.", ".5", "1e",
        "+1", "NaN", "Infinity", "tru", "nul", "\"abc", "\"a\\x\"", "\"\\u12g4\"", "\"tab\there\"", "[] []", "{\"a\":1,\"a\":2}",
        "\u00a0{}"
    })
    void rejectsMalformedDocuments(String text) {
        Json.SyntaxException e = assertThrows(Json.SyntaxException.class, () -> Json.parse(text));
        assertTrue(e.getMessage().contains("offset"), e.getMessage());
    }

    @Test
    void limitsNesting() throws Exception {
        String ok = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
        Json.parse(ok);
        String deep = "[".repeat(Json.MAX_DEPTH + 1) + "]".repeat(Json.MAX_DEPTH + 1);
        Json.SyntaxException e = assertThrows(Json.SyntaxException.class, () -> Json.parse(deep));
        assertTrue(e.getMessage().contains("nesting deeper than 64"), e.getMessage());
    }

    @Test
    void quotesStringsSoThatTheyReadBack() throws Exception {
        String s = "a\"b\\c\nd\u0001e\u00e9\ud83d\ude00/";
        assertEquals("\"a\\\"b\\\\c\\nd\\u0001e\u00e9\ud83d\ude00/\"", Json.quote(s));
        assertEquals(s, Json.parse(Json.quote(s)));
    }
}
