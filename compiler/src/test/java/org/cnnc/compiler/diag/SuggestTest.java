package org.cnnc.compiler.diag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class SuggestTest {
    @Test
    void swappedNeighboursCountAsOneEdit() {
        assertEquals(1, Suggest.distance("widht", "width"));
        assertEquals("width", Suggest.closest("widht", List.of("width", "classes")));
    }

    @Test
    void countsInsertionsDeletionsAndSubstitutions() {
        assertEquals(1, Suggest.distance("conv", "convv"));
        assertEquals(1, Suggest.distance("kernal", "kernel"));
        assertEquals(3, Suggest.distance("abc", ""));
    }

    @Test
    void offersNothingWhenNothingIsClose() {
        assertNull(Suggest.closest("maxpool", List.of("fc", "bn")));
        assertEquals("; its parameters are a, b", Suggest.didYouMeanOrList("zzz", List.of("a", "b"), "its parameters"));
    }
}
