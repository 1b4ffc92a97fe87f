package org.cnnc.stdlib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.cnnc.compiler.StdLib;
import org.cnnc.compiler.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * `cnnc summary --json NAME` gives the published figures for every stdlib network: exact
 * parameters, MACs within 2% of torchvision's GMACs (or the reference given in DESIGN.md).
 */
class SummaryJsonFiguresTest {

    static Stream<Arguments> figures() {
        return Stream.of(
                // name, parameters, GMACs (0 where no figure is published: the exact count is tested elsewhere)
                Arguments.of("lenet5", 61_706L, 0.0),
                Arguments.of("alexnet", 61_100_840L, 0.71),
                Arguments.of("vgg11", 132_863_336L, 7.61),
                Arguments.of("vgg16", 138_357_544L, 15.47),
                Arguments.of("googlenet", 6_624_904L, 1.50),
                Arguments.of("nin", 1_992_166L, 0.0),
                Arguments.of("resnet18", 11_689_512L, 1.81),
                Arguments.of("resnet34", 21_797_672L, 3.66),
                Arguments.of("resnet50", 25_557_032L, 4.09),
                Arguments.of("resnet101", 44_549_160L, 7.80),
                Arguments.of("cifar_resnet", 195_738L, 0.0),
                Arguments.of("densenet121", 7_978_856L, 2.83),
                Arguments.of("mobilenet_v1", 4_231_976L, 0.569),
                Arguments.of("mobilenet_v2", 3_504_872L, 0.30));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("figures")
    void summaryJsonGivesThePublishedFigures(String name, long params, double gmacs) throws Exception {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.run(new String[] {"summary", "--json", name}, new PrintWriter(out), new PrintWriter(err));
        assertEquals(0, code, err::toString);
        JsonNode json = new ObjectMapper().readTree(out.toString());
        assertEquals(params, json.get("totalParams").asLong(), name + " parameters");
        if (gmacs > 0) {
            double macs = json.get("totalMacs").asLong() / 1e9;
            assertTrue(Math.abs(macs - gmacs) / gmacs <= 0.02, name + ": " + macs + " GMACs vs " + gmacs);
        }
        long layerParams = 0;
        for (JsonNode layer : json.get("layers")) layerParams += layer.get("params").asLong();
        assertEquals(params, layerParams, "the layers' parameters add up to the total");
        assertTrue(json.get("output").isArray() && json.get("output").size() >= 1);
    }

    @Test
    void everyIndexedNetworkIsTestedHere() {
        Set<String> tested = figures().map(a -> (String) a.get()[0]).collect(Collectors.toSet());
        assertEquals(Set.copyOf(StdLib.names()), tested);
    }
}
