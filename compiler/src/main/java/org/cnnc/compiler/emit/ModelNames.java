package org.cnnc.compiler.emit;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.lang.model.SourceVersion;

/** Java names for a generated model: the class, and a field per stored tensor. */
public final class ModelNames {
    private ModelNames() {}

    /** A valid Java class name from a network name ({@code resnet-50} → {@code Resnet_50}). */
    public static String className(String network) {
        String s = network.replaceAll("[^A-Za-z0-9_]", "_");
        if (s.isEmpty() || !Character.isJavaIdentifierStart(s.charAt(0))) s = "Net" + s;
        s = Character.toUpperCase(s.charAt(0)) + s.substring(1);
        return SourceVersion.isKeyword(s) ? s + "_" : s;
    }

    /** A field name per tensor name, distinct and valid ({@code layer1.0.conv1.weight} → {@code layer1_0_conv1_weight}). */
    public static Map<String, String> fields(List<String> tensorNames) {
        Map<String, String> out = new LinkedHashMap<>();
        Map<String, Integer> used = new HashMap<>();
        for (String t : tensorNames) {
            String base = "w_" + t.replaceAll("[^A-Za-z0-9_]", "_");
            int n = used.merge(base, 1, Integer::sum);
            out.put(t, n == 1 ? base : base + "_" + n);
        }
        return out;
    }
}
