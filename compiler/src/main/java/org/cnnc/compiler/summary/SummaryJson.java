package org.cnnc.compiler.summary;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import org.cnnc.compiler.ir.Graph;
import org.cnnc.compiler.ir.Node;
import org.cnnc.compiler.shape.LayerStats;
import org.cnnc.compiler.shape.ShapedGraph;

/**
 * The {@code summary --json} form. Its fields are documented in the README and only ever
 * gain new ones; {@code formatVersion} changes if one is removed or changes meaning.
 */
public final class SummaryJson {
    public static final int FORMAT_VERSION = 1;
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private SummaryJson() {}

    public static ObjectNode tree(ShapedGraph shaped, int batch) {
        Graph g = shaped.graph();
        ObjectNode root = MAPPER.createObjectNode();
        root.put("formatVersion", FORMAT_VERSION);
        root.put("network", g.name());
        ObjectNode params = root.putObject("parameters");
        g.parameters().forEach(params::put);
        root.put("batch", batch);
        dims(root.putArray("input"), g.input());
        dims(root.putArray("output"), g.outputNode());
        root.put("totalParams", shaped.totalParams());
        root.put("totalMacs", shaped.totalMacs());
        root.put("totalFlops", 2 * shaped.totalMacs());
        root.put("weightBytes", shaped.weightBytes());
        root.put("inputBytes", shaped.inputBytes() * batch);
        root.put("activationBytes", shaped.activationBytes() * batch);
        root.put("workingMemoryBytes", SummaryTable.arenaBytes(shaped) * batch);
        ArrayNode dropped = root.putArray("droppedOptionals");
        for (Graph.DroppedOptional d : g.dropped()) {
            ObjectNode o = dropped.addObject();
            o.put("line", d.pos().line());
            o.put("column", d.pos().col());
            o.put("element", d.what());
            o.put("reason", d.reason());
        }
        ArrayNode layers = root.putArray("layers");
        for (Node n : g.nodes()) {
            if (n.id() == 0) continue;
            LayerStats s = shaped.stats(n);
            ObjectNode l = layers.addObject();
            l.put("id", n.id());
            l.put("name", n.name());
            l.put("named", n.named());
            l.put("op", n.op().kind());
            l.put("description", OpText.describe(n.op()));
            dims(l.putArray("shape"), n);
            l.put("params", s.params());
            l.put("macs", s.macs());
            l.put("receptiveField", s.receptivePixels());
            l.put("jump", s.jump());
            ArrayNode inputs = l.putArray("inputs");
            n.inputs().forEach(inputs::add);
            l.put("line", n.pos().line());
            l.put("column", n.pos().col());
        }
        return root;
    }

    public static String render(ShapedGraph shaped, int batch) {
        try {
            return MAPPER.writeValueAsString(tree(shaped, batch)) + "\n";
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void dims(ArrayNode array, Node node) {
        node.shape().dims().forEach(array::add);
    }
}
