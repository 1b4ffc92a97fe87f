package org.cnnc.benchmarks;

import java.nio.file.Path;

/**
 * Where run.sh puts the models, and how a benchmark variant opens one. Under the models
 * directory ({@code -Dcnnc.bench.models}, default {@code target/models}):
 * <pre>
 *   TARGET/NAME-O0.jar, TARGET/NAME-O2.jar          cnnc build NAME -O0|-O2 --seed 1 [--target TARGET]
 *   TARGET/kernels/KERNEL-CxHxW-O0.jar, ...-O2.jar   the per-kernel models (kernels/*.cnn)
 *   onnx/NAME.onnx                                  cnnc export NAME --seed 1
 *   summaries/NAME.json, summaries/kernels/KERNEL-CxHxW.json    cnnc summary --json
 * </pre>
 * TARGET is {@code -Dcnnc.bench.target} (default {@code jvm}).
 */
public final class ModelFiles {
    /** Variant: the cnnc model built at -O0 (no graph pass: every layer its own kernel). */
    public static final String CNNC_O0 = "cnnc-O0";
    /** Variant: the cnnc model built at -O2 (fused). */
    public static final String CNNC_O2 = "cnnc-O2";
    /** Variant: ONNX Runtime on the network's ONNX export. */
    public static final String ONNX_RUNTIME = "onnxruntime";
    /** Variant: PyTorch, eager, on the network's ONNX export ({@link TorchEngine}). */
    public static final String PYTORCH = "pytorch";

    private ModelFiles() {}

    public static Path modelsDir() {
        return Path.of(System.getProperty("cnnc.bench.models", "target/models"));
    }

    public static String target() {
        return System.getProperty("cnnc.bench.target", "jvm");
    }

    /** Kernel threads of every engine: {@code -Dcnnc.bench.threads}, default 2. */
    public static int threads() {
        return Integer.getInteger("cnnc.bench.threads", 2);
    }

    /** The file a variant of stdlib network {@code network} runs from. */
    public static Path network(String network, String variant) {
        return switch (variant) {
            case CNNC_O0 -> modelsDir().resolve(target()).resolve(network + "-O0.jar");
            case CNNC_O2 -> modelsDir().resolve(target()).resolve(network + "-O2.jar");
            case ONNX_RUNTIME, PYTORCH -> modelsDir().resolve("onnx").resolve(network + ".onnx");
            default -> throw new IllegalArgumentException("unknown variant '" + variant + "' (expected "
                    + CNNC_O0 + ", " + CNNC_O2 + ", " + ONNX_RUNTIME + " or " + PYTORCH + ")");
        };
    }

    /** The jar of a per-kernel model: {@code kernel} at {@code shape} (e.g. 64x56x56). */
    public static Path kernel(String kernel, String shape, String variant) {
        String level = switch (variant) {
            case CNNC_O0 -> "O0";
            case CNNC_O2 -> "O2";
            default -> throw new IllegalArgumentException("unknown kernel variant '" + variant + "' (expected "
                    + CNNC_O0 + " or " + CNNC_O2 + ")");
        };
        return modelsDir().resolve(target()).resolve("kernels").resolve(kernel + "-" + shape + "-" + level + ".jar");
    }

    /** Opens a variant of a stdlib network for batches of {@code batch}. */
    public static Engine openNetwork(String network, String variant, int batch) {
        Path file = network(network, variant);
        return switch (variant) {
            case ONNX_RUNTIME -> OrtEngine.open(file, batch, threads());
            case PYTORCH -> TorchEngine.open(file, batch, threads());
            default -> CnncEngine.open(file, batch, threads());
        };
    }
}
