package org.cnnc.runtime.kernels;

import org.cnnc.runtime.Parallel;

/**
 * A 2-D convolution over NCHW float tensors (groups, stride, padding, dilation) with its epilogue
 * fused, specialised to every dimension but the batch. Weights are PyTorch's
 * {@code [OC, IC/groups, KH, KW]}, prepared once when the kernel is made. An instance holds no
 * per-call state: it may run on several threads at once, each call with its own scratch.
 *
 * <p>With the Vector API: depthwise convolutions (groups = IC = OC) run a direct kernel
 * ({@code VectorDepthwiseConv}); 3×3 stride-1 ones with at least 16 channels in and out, on maps
 * large enough, run Winograd's F(2×2, 3×3) or, on larger maps with 64 channels or more,
 * F(4×4, 3×3) ({@code VectorWinogradConv}); with 16-float vectors, those to maps 7 wide run with
 * the output channels along the lanes ({@code VectorChannelLanesConv}, see
 * {@link #channelsAlongLanes}); everything else is a
 * packed-weight matrix product per group ({@code VectorGemmConv}), reading a 1×1 stride-1
 * convolution's input as it is and any other from a padded copy made once per call. Without
 * it, {@code ScalarConv2d} runs plain loops.
 * The epilogue is applied as each output is stored, but for a sigmoid or tanh that can wait for
 * the whole output ({@code CurveAfterConv}).
 */
public abstract class Conv2d {
    final ConvShape shape;
    final Epilogue epilogue;

    Conv2d(ConvShape shape, Epilogue epilogue) {
        this.shape = shape;
        this.epilogue = epilogue;
    }

    /** The Vector API implementation where it is available, else plain loops. */
    public static Conv2d create(int ic, int ih, int iw, int oc, int kh, int kw, int sh, int sw, int ph, int pw,
                                int dh, int dw, int groups, float[] weights, Epilogue epilogue) {
        return create(ic, ih, iw, oc, kh, kw, sh, sw, ph, pw, dh, dw, groups, weights, epilogue, VectorSupport.Impl.AUTO);
    }

    static Conv2d create(int ic, int ih, int iw, int oc, int kh, int kw, int sh, int sw, int ph, int pw,
                         int dh, int dw, int groups, float[] weights, Epilogue epilogue, VectorSupport.Impl impl) {
        ConvShape s = new ConvShape(ic, ih, iw, oc, kh, kw, sh, sw, ph, pw, dh, dw, groups);
        if (weights.length != s.weightCount()) {
            throw new IllegalArgumentException("conv " + s + ": " + weights.length + " weights, expected " + s.weightCount());
        }
        Epilogue e = epilogue == null ? Epilogue.NONE : epilogue;
        e.checkBias(oc, "conv " + s);
        return VectorSupport.backend(impl).conv(s, weights, e);
    }

    public final int outH() {
        return shape.oh();
    }

    public final int outW() {
        return shape.ow();
    }

    /** Elements of one input sample (IC·IH·IW). */
    public final int inputSize() {
        return shape.ic() * shape.ih() * shape.iw();
    }

    /** Elements of one output sample (OC·OH·OW). */
    public final int outputSize() {
        return shape.oc() * shape.oh() * shape.ow();
    }

    /**
     * The side of the output tiles in which the Vector API kernels compute this convolution by
     * Winograd's F(m×m, 3×3) (2 or 4), or 0 where they do not, for {@code cnnc explain}: the
     * arguments as {@link #create}'s.
     */
    public static int winogradTile(int ic, int ih, int iw, int oc, int kh, int kw, int sh, int sw, int ph, int pw,
                                   int dh, int dw, int groups) {
        return winogradTile(new ConvShape(ic, ih, iw, oc, kh, kw, sh, sw, ph, pw, dh, dw, groups));
    }

    /**
     * Whether the Vector API kernels compute this convolution with the output channels along the
     * lanes ({@code VectorChannelLanesConv}), for {@code cnnc explain}: the arguments as
     * {@link #create}'s.
     */
    public static boolean channelsAlongLanes(int ic, int ih, int iw, int oc, int kh, int kw, int sh, int sw, int ph, int pw,
                                             int dh, int dw, int groups) {
        return channelsAlongLanes(new ConvShape(ic, ih, iw, oc, kh, kw, sh, sw, ph, pw, dh, dw, groups), VectorSupport.panelColumns());
    }

    /** Output pixels of a tile of {@code VectorChannelLanesConv}: an output row of this width. */
    static final int LANES_ROW = 7;
    /** Rows of K below which the matrix product stays: a shorter sum weighs each tile's scatter and epilogue more. */
    static final int LANES_MIN_K = 256;

    /**
     * Whether {@code VectorChannelLanesConv} takes {@code s}, the vector kernels' column panels
     * {@code nr} wide: with 16-float vectors (its 21 sums, three vectors of weights and a
     * broadcast fit their 32 registers), no groups, not Winograd's, an output {@link #LANES_ROW}
     * wide and at most as high, K of at least {@link #LANES_MIN_K}, and tiles of three vectors of
     * channels that compute no more outputs than the matrix product's panels of pixels would (24
     * channels at 7×7: 48 × 49 against 24 × 64).
     */
    static boolean channelsAlongLanes(ConvShape s, int nr) {
        final int channels = 3 * nr / 2, plane = s.oh() * s.ow();
        return lanesFit(s, nr) && s.k() >= LANES_MIN_K && winogradTile(s, nr) == 0
                && (long) Math.ceilDiv(s.oc(), channels) * channels * plane <= (long) s.oc() * Math.ceilDiv(plane, nr) * nr;
    }

    /** Whether {@code VectorChannelLanesConv} can compute {@code s} at all (see {@link #channelsAlongLanes}). */
    static boolean lanesFit(ConvShape s, int nr) {
        return nr == 32 && s.groups() == 1 && s.ow() == LANES_ROW && s.oh() <= LANES_ROW;
    }

    static boolean usesWinograd(ConvShape s) {
        return winogradTile(s) > 0;
    }

    /** {@link #winogradTile(ConvShape, int)} with this machine's column panels. */
    static int winogradTile(ConvShape s) {
        return winogradTile(s, VectorSupport.panelColumns());
    }

    /**
     * Winograd where the tiles fit, there are at least 16 channels in and out, and F(2×2)'s 16
     * products cover at most 3/4 of the columns the GEMM kernel's 9 taps would, both counted in
     * whole column panels of {@code nr} (the vector kernels' two vectors). Fewer channels were
     * as fast or faster on the GEMM kernel in {@code KernelBench}, and so were small maps whose
     * panels are mostly empty (7×7 on 512-bit vectors: 16 tiles, half a panel, against 9 taps of
     * two panels), unless the products run along the lanes ({@link #alongLanes}).
     *
     * <p>F(4×4) in place of F(2×2) where its 36 products cover at most 0.7 of F(2×2)'s columns,
     * both numbered with extended columns (56×56: 0.62, 28×28: 0.64, with panels of 16; 14×14:
     * 1.13), and there are at least 64 channels in and out. On the AMD EPYC (AVX2), F(4×4)
     * against F(2×2), one thread and two (medians of ten alternations in one JVM): 64 → 64 at
     * 56×56 0.83 and 0.86 of the time, 128 → 128 at 28×28 0.83 and 0.85, 256 → 256 at 56×56
     * 0.78 and 0.77, 512 → 512 at 28×28 0.75–0.98 over five runs, one thread or two; with 16 or
     * 32 channels its transforms cost more than the products save (16 → 16 at 32×32: 1.26 and
     * 1.44). At 14×14, 4×4 tiles numbered compactly fill one panel of 16 (against four of 2×2
     * tiles): 256 → 256 took 0.81 of the time on one thread, but 1.06 on two, whose row split
     * each transformed all of the input.
     */
    static int winogradTile(ConvShape s, int nr) {
        if (!s.winogradTiles() || Math.min(s.ic(), s.oc()) < 16) return 0;
        if (alongLanes(s, nr)) return 2;
        long gemm = 9L * Math.ceilDiv(extendedColumns(s.oh(), s.ow(), 2), nr);
        if (4 * winogradColumns(s, 2, nr, true) > 3 * gemm) return 0;
        boolean four = Math.min(s.ic(), s.oc()) >= 64
                && 10 * winogradColumns(s, 4, nr, false) <= 7 * winogradColumns(s, 2, nr, false);
        return four ? 4 : 2;
    }

    /**
     * Whether F(2×2)'s tiles make exactly one vector against pairs of vectors of output channels,
     * which its kernel multiplies with the channels along the lanes (7×7 and 8×8 on AVX-512):
     * 16 products of a vector, no padding, against the GEMM kernel's 9 taps of 49 or 64 columns;
     * and U is at most {@link #LANES_U}. On the AMD EPYC (Zen 5): the CIFAR ResNet's 64 → 64 at
     * 8×8 took 15.8–16.0 µs on one thread against 18.3–18.8 on the half tile, 11.7–11.9 against
     * 13.1–13.5 on two.
     */
    static boolean alongLanes(ConvShape s, int nr) {
        return lanesTiles(Math.ceilDiv(s.oh(), 2), Math.ceilDiv(s.ow(), 2), nr, s.ic(), s.oc());
    }

    /** {@link #alongLanes} for th × tw tiles of 2×2. */
    private static boolean lanesTiles(int th, int tw, int nr, int ic, int oc) {
        return th * tw == nr / 2 && nr >= 16 && oc % nr == 0 && 16L * ic * oc * Float.BYTES <= LANES_U;
    }

    /**
     * The largest U (bytes) multiplied along the lanes. A call reads all of U once, and from
     * memory at batch 1 once the network's weights outgrow the cache: ResNet-18's 512 → 512 at
     * 7×7 (16 MB of U against 9 MB of weights) took 0.75–0.80 of the GEMM kernel's time alone,
     * with U in the L3 cache, but 1.08 in the network.
     */
    static final long LANES_U = 1 << 20;

    /**
     * F(m×m, 3×3)'s products times the column panels of {@code nr} its tiles take, with or without
     * the numbering that drops the extended columns where that saves panels.
     */
    private static long winogradColumns(ConvShape s, int m, int nr, boolean compact) {
        int th = Math.ceilDiv(s.oh(), m), tw = Math.ceilDiv(s.ow(), m);
        int panels = compact && compactTiles(m, th, tw, nr, s.ic(), s.oc()) ? Math.ceilDiv(th * tw, nr)
                : Math.ceilDiv(extendedColumns(th, tw, 1), nr);
        return (long) (m + 2) * (m + 2) * panels;
    }

    /**
     * Whether Winograd's th × tw tiles of m × m are numbered without an extended column per row:
     * where a row of tiles is a whole number of vectors (nr / 2), so that no vector of tiles
     * spans two rows (the CIFAR ResNet's 16 → 16 at 32×32 and 32 → 32 at 16×16 took 0.78–0.81
     * of the time of extended columns on one thread, 0.67–0.78 on two, with AVX2: a vector's
     * outputs are then whole runs of output rows); else where that saves at least a quarter of
     * the column panels of {@code nr} or of their vectors, a lone vector running on the half tile
     * (2×2 tiles of 7×7 and 8×8 maps: 16 tiles against 19 extended columns, two panels of 16
     * against one, or two vectors of 16 against one: the CIFAR ResNet's 64 → 64 at 8×8 on
     * AVX-512 took 0.79 of the time on one thread, 0.96 on two), and either there are more than 32K channel pairs
     * (F(2×2)'s U over 2 MB) or U is small enough for two threads to take a vector each of one
     * panel ({@link VectorWinogradConv#VECTOR_SPLIT_U}). Between the two, two threads split the
     * rows of one panel and each transforms all of the input: on the AMD EPYC, 512 → 512 at 7×7
     * took 0.61–0.66 of the GEMM kernel's time on one thread and 0.62–0.78 on two, but 128 → 128
     * at 7×7 0.72–0.77 and 1.06 of the extended numbering's.
     */
    static boolean compactTiles(int m, int th, int tw, int nr, int ic, int oc) {
        if (tw % (nr / 2) == 0) return true;
        // one vector of 2×2 tiles against pairs of vectors of output channels: along the lanes ({@link #alongLanes})
        if (m == 2 && lanesTiles(th, tw, nr, ic, oc)) return true;
        int columns = extendedColumns(th, tw, 1), tiles = th * tw, vl = nr / 2;
        boolean saves = savesQuarter(Math.ceilDiv(columns, nr), Math.ceilDiv(tiles, nr))
                || savesQuarter(Math.ceilDiv(columns, vl), Math.ceilDiv(tiles, vl));
        long pairs = (long) ic * oc;
        return saves && (pairs > 1 << 15 || (m + 2L) * (m + 2) * pairs * Float.BYTES <= VectorWinogradConv.VECTOR_SPLIT_U);
    }

    private static boolean savesQuarter(int before, int after) {
        return 4 * (before - after) >= before;
    }

    /**
     * The extended columns that hold rows × cols outputs whose rows lie {@code extra} columns
     * apart beyond their own ({@link PaddedLayout#extent}): the GEMM kernel's 3×3 taps (2), or
     * Winograd's tiles (1).
     */
    private static int extendedColumns(int rows, int cols, int extra) {
        return (rows - 1) * (cols + extra) + cols;
    }

    /** Multiply-accumulates per sample. */
    public final long macs() {
        return shape.macs();
    }

    /** Floats of scratch one call needs when {@code parallel} has {@code threads} threads. */
    public abstract long scratchFloats(int threads);

    /**
     * x: batch×IC×IH×IW, y: batch×OC×OH×OW, residual: same shape as y, or null (required iff the
     * epilogue adds one); scratch: at least {@link #scratchFloats} floats for {@code parallel}'s
     * thread count (may be null when that is 0). y must not overlap x; the residual may be y
     * itself (each output reads its residual before it is written).
     */
    public abstract void run(float[] x, float[] y, float[] residual, int batch, float[] scratch, Parallel parallel);

    /** The implementation and its strategy for this shape, for diagnostics. */
    public abstract String strategy();

    void checkCall(float[] x, float[] y, float[] residual, int batch, float[] scratch, Parallel parallel) {
        long in = (long) batch * inputSize(), out = (long) batch * outputSize();
        if (batch < 1) throw new IllegalArgumentException("conv: batch must be at least 1, not " + batch);
        if (x.length < in) throw new IllegalArgumentException("conv " + shape + ": input holds " + x.length + " floats, needs " + in);
        if (y.length < out) throw new IllegalArgumentException("conv " + shape + ": output holds " + y.length + " floats, needs " + out);
        if (epilogue.residual() && (residual == null || residual.length < out)) {
            throw new IllegalArgumentException("conv " + shape + ": residual missing or shorter than " + out);
        }
        long need = scratchFloats(parallel.threads());
        if (need > 0 && (scratch == null || scratch.length < need)) {
            throw new IllegalArgumentException("conv " + shape + ": scratch holds " + (scratch == null ? 0 : scratch.length)
                    + " floats, needs " + need + " for " + parallel.threads() + " threads");
        }
    }
}
