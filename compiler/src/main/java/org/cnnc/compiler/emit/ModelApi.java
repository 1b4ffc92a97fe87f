package org.cnnc.compiler.emit;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.lang.model.element.Modifier;
import org.cnnc.compiler.ir.Graph;

/** What every emitted model class shares, whatever its target: the runtime's types and the Model accessors. */
public final class ModelApi {
    public static final ClassName CALLS = ClassName.get("org.cnnc.runtime", "Calls");
    public static final ClassName MODEL = ClassName.get("org.cnnc.runtime", "Model");
    public static final ClassName PARALLEL = ClassName.get("org.cnnc.runtime", "Parallel");
    public static final ClassName PARALLEL_TASK = PARALLEL.nestedClass("Task");
    public static final ClassName ARENA = ClassName.get("org.cnnc.runtime", "Arena");
    public static final ClassName ARENA_POOL = ClassName.get("org.cnnc.runtime", "ArenaPool");
    public static final ClassName VECTOR_SUPPORT = ClassName.get("org.cnnc.runtime.kernels", "VectorSupport");
    public static final ClassName FOLD = ClassName.get("org.cnnc.runtime", "Fold");
    public static final ClassName SAFETENSORS = ClassName.get("org.cnnc.runtime.weights", "SafeTensors");
    public static final TypeName FLOATS = ArrayTypeName.of(TypeName.FLOAT);

    private ModelApi() {}

    public static MethodSpec.Builder override(String name, java.lang.reflect.Type returns) {
        return MethodSpec.methodBuilder(name).addAnnotation(Override.class).addModifiers(Modifier.PUBLIC).returns(returns);
    }

    public static MethodSpec.Builder override(String name, TypeName returns) {
        return MethodSpec.methodBuilder(name).addAnnotation(Override.class).addModifiers(Modifier.PUBLIC).returns(returns);
    }

    /**
     * {@code name}, {@code inputShape}, {@code outputShape} (from the INPUT_SHAPE and OUTPUT_SHAPE
     * constants), {@code parameterCount}, the target's {@code backend} and {@code metadata}
     * (entries in the map's order).
     */
    public static void describe(TypeSpec.Builder type, Graph g, long parameters, MethodSpec backend,
                                Map<String, String> metadata) {
        type.addMethod(override("name", String.class).addStatement("return $S", g.name()).build());
        type.addMethod(override("inputShape", int[].class).addStatement("return INPUT_SHAPE.clone()").build());
        type.addMethod(override("outputShape", int[].class).addStatement("return OUTPUT_SHAPE.clone()").build());
        type.addMethod(override("parameterCount", long.class).addStatement("return $LL", parameters).build());
        type.addMethod(backend);
        CodeBlock.Builder map = CodeBlock.builder().add("return $T.ofEntries(", Map.class);
        List<String> keys = new ArrayList<>(metadata.keySet());
        for (int i = 0; i < keys.size(); i++) {
            map.add("\n$>$>$T.entry($S, $S)$L$<$<", Map.class, keys.get(i), metadata.get(keys.get(i)),
                    i + 1 < keys.size() ? "," : "");
        }
        map.add(")");
        type.addMethod(override("metadata", ParameterizedTypeName.get(Map.class, String.class, String.class))
                .addStatement(map.build()).build());
    }
}
