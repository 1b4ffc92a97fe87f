package org.cnnc.runtime.kernels;

import static org.cnnc.runtime.kernels.VectorOps.S;
import static org.cnnc.runtime.kernels.VectorOps.VL;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import org.cnnc.runtime.Parallel;

/**
 * Convolution as a matrix product on the Vector API: Y[OC, pixels] = W[OC, K] · B[K, pixels] per
 * group, K = IC/g·KH·KW. The weights are packed once, at creation, into panels of MR rows
 * ([k][MR] contiguous, rows past OC/g zero; MR_SHORT rows where that wastes much less, as for
 * 16 channels), a block of K's row panels one after another ({@link #pack}); the microkernel
 * holds an MR × 2-vector tile of sums in registers and does one broadcast-FMA per weight and
 * vector. MR is 12 where there are 32 vector registers (AVX-512),
 * 5 where there are 16 (AVX2).
 *
 * <p>B is never materialised whole. For each column panel (NR = 2 vectors of pixels) it is
 * packed, at most KC rows at a time (all of K up to ONE_BLOCK_UP_TO), into a contiguous block that stays in L1 while every row
 * panel of weights passes over it; the sums of all row panels for a group of up to
 * {@link #GROUP} column panels ({@link #GROUP_ONE_BLOCK} where K is one block) accumulate in
 * scratch, and the epilogue (bias, activation, residual, activation) stores them once K is done,
 * a strip of up to a group × NR values per channel: the store is the only pass over the output.
 * A convolution with any stride or padding first copies the input once per call into a
 * zero-padded image split by stride phase ({@link PaddedLayout}); one of stride 1 without padding
 * (1×1 among them) reads the NCHW input as it lies, which is already that image. Either
 * computes the output over "extended" columns q = oh·Wq + ow, Wq the width of a phase image:
 * every row of B is then a contiguous run of that image at a fixed offset, B[k = (c, kh, kw), q]
 * = P[c][q + tap(kh, kw)]. The Wq − OW extended columns at the end of each output row (2 of 58
 * for a 3×3 pad-1 conv on 56×56) are computed and dropped.
 *
 * <p>A last column panel of at most one vector of columns (a 1×1 conv on 7×7: 49 = 3 × 16 + 1;
 * on 14×14: 196 = 12 × 16 + 4) takes a tile of two 5-row panels × one vector on AVX2
 * ({@link #tile10Half}), half the FMAs of the 5 × 2 tile that computed a vector of padding; the
 * threads then count that panel half when they choose between columns and rows. AMD EPYC Zen 3,
 * one thread: ResNet-50's 1×1 512 → 2048 and 2048 → 512 at 7×7 in 0.91 of the time, MobileNetV2's
 * 320 → 1280 at 7×7 0.92, 1024 → 256 at 14×14 0.96; two threads 0.87, 0.90 and 0.94 (rows split,
 * where the columns had gone 2 and 1½ panels). Whole networks ({@code CompareJars}, both orders):
 * ResNet-50 0.96 and 0.97, MobileNetV2 0.97 and 0.97. AVX-512's 12-row panels take two at a
 * time on one vector ({@link #tile24Half}: 24 sums, as the 12 × 2 tile holds): on AMD EPYC Zen 5,
 * 24 rows against a vector of 64 rows of B in 0.65 of the time of two 12 × 2 tiles; ResNet-50
 * (its 1×1 convolutions at 14×14: 196 = 6 × 32 + 4) 0.95 and 0.97 of the time, MobileNetV2 1.01
 * and 0.97, the CIFAR ResNet (no layer of it takes the half tile here) 0.97 and 1.05. Winograd's
 * lone vector of tiles takes it too, where its tiles make an odd number of vectors.
 *
 * <p>Where all of K is one block over the input as it lies and the epilogue only adds the bias
 * and clamps (MobileNetV2's expansions), every column panel of a group is packed first and each
 * row panel then sweeps them, every tile's sums going through the epilogue while they are in L1
 * ({@link #outputs}): the tile's rows of the output are written in runs as the tiles go, and the
 * group's sums never pass through L2. AMD EPYC Zen 3 (AVX2, 5-row tiles), one JVM, the two
 * kernels alternated, one thread:
 * 16 → 96 at 112×112 0.86 of the time, 24 → 144 at 56×56 0.91, 32 → 192 at 28×28 0.89, 64 → 384
 * at 14×14 0.95, 96 → 576 0.91, 160 → 960 at 7×7 0.91; two threads 0.56, 0.74, 0.99, 0.92, 0.93,
 * 0.93. MobileNetV2 ({@code CompareJars}, both orders) 0.98 and 0.95. The tile writing its sums
 * straight to the output, the bias and clamp in registers, ran 2× slower: C2 kept one of the ten
 * sums on the stack inside the K loop. Each tile's sums through the general epilogue call (which
 * takes any activation and a residual), or {@link #outputs} taking a residual too, gained nothing.
 * On AMD EPYC Zen 5 (AVX-512, 12-row tiles), MobileNetV2 0.96 and 0.92 of the time, ResNet-50
 * 0.99 and 0.99 ({@code CompareJars}, both orders).
 *
 * <p>Threads: one hand-off per sample. Each thread takes a contiguous run of column panels
 * against all row panels (sharing the packed weights), or a run of row panels against all
 * columns when that balances better (few pixels, e.g. 7×7); each writes the rows of the padded
 * image its own columns need. Batches of at least as many samples as threads go out as whole
 * samples instead.
 *
 * <p>Measured on a 2-core Intel Xeon (Cascade Lake, AVX-512, 2.5 GHz, about 140 GFLOP/s of FMA
 * per core) with {@code KernelBench}, one thread, GFLOP/s median (best) over many calls:
 * <ul>
 * <li>Reading B in place (rows a channel plane apart) instead of packing it: 1×1 256→64 at 56×56
 *     19 (34), 3×3 128 ch at 28×28 40 (64), 3×3 256 ch at 14×14 41 (49). Packed in L1-sized
 *     blocks: 41 (63), 52 (85), 49 (90): the in-place reads miss L1 on every row.</li>
 * <li>A 12 × 2 tile against 8 × 2, both packed: 3×3 128 ch at 28×28 90 (103) against 52 (85),
 *     3×3 256 ch at 14×14 86 (95) against 49 (90). The microkernel alone, data in L1, ran at
 *     58–93 (8 × 2), 67–114 (12 × 2) and 98–128 (8 × 3, which wastes more columns on 7×7 maps)
 *     from one JVM to the next; a pure FMA loop reaches 140.</li>
 * <li>Passing the sums to the store as vectors instead of through memory cost 10×: the call
 *     was not inlined, so C2 boxed the vectors, and allocated the boxes inside the K loop.</li>
 * </ul>
 */
final class VectorGemmConv extends Conv2d {
    /**
     * Vector registers of the preferred species: 32 with 512-bit vectors (AVX-512) and on AArch64,
     * 16 with 256-bit AVX2. The register tile's sums must fit them with room to spare: on AVX2
     * (AMD EPYC Zen 3, FMA peak 84 GFLOP/s a core), the microkernel alone with its data in L1 ran
     * 12 × 2 at 29 GFLOP/s, 6 × 2 at 43, 5 × 2 at 88–92 and 4 × 2 at 82: C2 spills the 12 sums of a
     * 6-row tile, though 15 registers would hold them with both B vectors and a broadcast.
     */
    static final int REGISTERS = VL >= 16 || "aarch64".equals(System.getProperty("os.arch")) ? 32 : 16;
    /** Rows of the register tile, unless a layer's channels fill {@link #MR_SHORT}-row panels better; columns are two vectors. */
    static final int MR = REGISTERS >= 32 ? 12 : 5;
    /** Rows of the shorter tile, for layers with few channels per group (16 channels pad to 24 rows of 12, 16 of 8). */
    static final int MR_SHORT = REGISTERS >= 32 ? 8 : 4;
    private static final int NR = 2 * VL;
    /**
     * Most rows of B per packed block: KC × NR = 4096 floats (16 KB) stay in L1 while every row
     * panel of weights passes over them, the weights' MR × KC slice streaming beside. K is cut
     * into equal blocks of at most KC rows: 128 with 16-float vectors, 256 with 8 (K up to
     * {@link #ONE_BLOCK_UP_TO} is one block). On the AMD
     * EPYC (Zen 3, AVX2), one thread, the same layer timed in turn with blocks of at most 128
     * rows and of 256: ResNet-50's 1×1 1024 → 256 at 14×14 0.95 of the time, 512 → 2048 at 7×7
     * 0.91, 3×3 256 channels at 14×14 0.96, its 7×7 stem 0.90 (one block, so a group of
     * {@link #GROUP_ONE_BLOCK}); MobileNetV2's 1×1 160 → 960 at 7×7 0.90, 192 → 32 at 28×28
     * 0.95. Blocks of 384 rows (24 KB) measured as 256.
     */
    static final int KC = 4096 / (2 * VL);

    /**
     * K up to this is one block, rather than two of half of it: a packed panel of a quarter more
     * than {@link #KC} rows still stays in L1, and the tile then starts each sum from zero and
     * stores it once. AMD EPYC Zen 5 (KC 128), the layers with K from 129 to 160, the same layer
     * timed in turn: ResNet-50's 7×7 stem (K 147) 0.93 of the time on two threads (557 µs against
     * 597), 0.90 on one; the CIFAR ResNet's 16 → 32 stride-2 conv (K 144) 0.94 on two; MobileNetV2's
     * 1×1 160 → 960 at 7×7 0.94 on two, 0.92 on one, 144 → 32 at 56×56 0.95 on one.
     */
    static final int ONE_BLOCK_UP_TO = KC + KC / 4;
    /**
     * Most column panels computed together: each row panel's sums for all of them are stored as
     * one strip per channel, up to 4 × 32 floats wide. The store reads the residual and writes the
     * output at one place per channel plane, and wide strips let the hardware stream them: storing
     * with a residual 12 rows × 32 floats at a time across 256 channel planes of 56×56 measured
     * 0.58 ns per value, 12 × 128 0.28 ns; the 1×1 64 → 256 convolution at 56×56 (ResNet-50's,
     * whose store is most of its time) ran 0.68–0.72× as long. The sums of every row panel for a
     * group must fit {@link #SUMS_BUDGET}.
     */
    static final int GROUP = 4;
    /**
     * The group where all of K is one block ({@link #KC} rows or fewer): each sum is then written
     * by the tile and read by the store once, and strips of up to 32 × 16 floats streamed better
     * still on the AMD EPYC (Zen 3, AVX2). One thread, the same layer with either group timed in
     * turn: 1×1 16 → 96 at 112×112 (MobileNetV2's first expansion) 0.82 of the time with 32,
     * 24 → 144 at 56×56 0.92, 64 → 256 at 56×56 0.89, 32 → 16 at 112×112 0.93. Layers with K in
     * several blocks, whose tiles read their sums back for every block, gained nothing (0.96–1.02).
     */
    static final int GROUP_ONE_BLOCK = 32;
    /** Floats of sums per thread (256 KB: in L2) that bound the group for layers with many output channels. */
    static final int SUMS_BUDGET = 1 << 16;
    /**
     * The input side of a column panel in rows of its products (see {@link #splitsColumns}):
     * packing B, and padding the input where it is not read as it lies.
     */
    static final int PACK_SIDE = 2, PAD_SIDE = 6;

    private final boolean direct;
    /**
     * Whether the columns are the output pixels themselves rather than extended columns, where
     * output rows are a whole number of vectors (so no vector spans two) but lie apart in the
     * input read: pixel q's column of B is at extended column q + q / OW · (Wq − OW). Also where
     * rows are shorter than a vector and that saves a column panel ({@link #spanShuffles}).
     */
    private final boolean compact;
    /**
     * For columns the output pixels over rows shorter than a vector: per output column a vector
     * starts at, the two-vector shuffle that picks its pixels' columns of B from the extended
     * columns, each next row Wq − OW further on (the CIFAR ResNet's 3×3 stride-2 convolutions
     * to 8×8: 64 pixels in two panels of 32 against 71 extended columns in three; 32 → 64
     * channels 0.76 of the time on one thread, 0.87 on two). Empty elsewhere.
     */
    private final VectorShuffle<Float>[] spanShuffles;
    /**
     * Whether each tile's sums go through the epilogue as soon as it is done ({@link #outputs}):
     * K in one block, the input as it lies, a clamping activation, nothing after it.
     * Its clamp then, [lo, hi].
     */
    private final boolean storesEachTile;
    private final float lo, hi;
    /** For a split convolution ({@link #split}), the second part's clamp where each tile stores its own outputs. */
    private final float lo2, hi2;
    /** nExt: the columns (extended, or the pixels); pitch: columns per output row. */
    private final int mr, k, kc, icg, ocg, groups, mPanels, plane, wq, cs, nExt, pitch, nPanels, group;
    private final PaddedLayout layout;
    /** Offset of B's row k from the group's base in P (or in x for the direct form). */
    private final int[] offs;
    private final float[] a;
    /**
     * Scratch per thread: its padded input (P, when not direct), a packed block of B (KC × NR)
     * and the sums of every row panel for a group of column panels (OC/g rounded up to MR, ×
     * group × NR). Each thread writes and reads its own P, also where threads share a sample: two
     * threads writing the same lines of one P took longer on two cores than on one.
     */
    private final int pFloats, packFloats, perThread;
    private final SampleShares samples = new SampleShares(this::part);
    /**
     * For two convolutions of one input computed as one ({@link ConvPair}): the output channels
     * from {@code split} on go to a second output array, through {@link #second}; 0 where there is
     * one output.
     */
    private final int split;
    private final Epilogue second;

    VectorGemmConv(ConvShape s, float[] weights, Epilogue epilogue) {
        this(s, weights, epilogue, null, 0);
    }

    /**
     * Where {@code split} > 0: the convolutions of output channels [0, split) (through {@code
     * epilogue}) and [split, OC) (through {@code second}) of one input, their weights one after
     * the other, each part stored to an output of its own ({@link #runPair}); neither adds a residual.
     */
    VectorGemmConv(ConvShape s, float[] weights, Epilogue epilogue, Epilogue second, int split) {
        super(s, epilogue);
        if (split < 0 || split >= s.oc() || split > 0 && (s.groups() != 1 || epilogue.residual() || second.residual())) {
            throw new IllegalArgumentException("cannot split " + s + " at output channel " + split);
        }
        this.split = split;
        this.second = second;
        k = s.k();
        icg = s.icg();
        ocg = s.ocg();
        groups = s.groups();
        mr = rowsPerPanel(ocg);
        mPanels = (ocg + mr - 1) / mr;
        plane = s.oh() * s.ow();
        direct = s.readsInPlace();
        layout = direct ? null : new PaddedLayout(s);
        wq = direct ? s.iw() : layout.wq;
        cs = direct ? s.ih() * s.iw() : layout.channelStride;
        offs = rowOffsets(s, layout);
        final int extent = direct ? (s.oh() - 1) * wq + s.ow() : layout.extent;
        final int ow = s.ow(), extra = wq - ow;
        // a vector starting anywhere in a row reaches at most this far into the extended columns,
        // read from P and its slack (not from the caller's input, as it lies)
        final int reach = VL - 1 + (ow + VL - 2) / ow * extra;
        final boolean spans = !direct && ow < VL && Math.ceilDiv(plane, NR) < Math.ceilDiv(extent, NR) && reach < 2 * VL;
        compact = extra != 0 && (ow % VL == 0 || spans);
        spanShuffles = VectorOps.acrossRuns(compact && spans ? ow : 0, extra);
        nExt = compact ? plane : extent;
        pitch = compact ? s.ow() : wq;
        nPanels = (nExt + NR - 1) / NR;
        // the pixels' vectors read up to two vectors on from a pixel's column: past the last channel, slack
        pFloats = direct ? 0 : Math.addExact(Math.multiplyExact(s.ic(), cs), spanShuffles.length > 0 ? 2 * VL : 0);
        kc = k <= ONE_BLOCK_UP_TO ? k : blockRows(k);
        group = Math.max(1, Math.min(Math.min(kc == k ? GROUP_ONE_BLOCK : GROUP, nPanels), SUMS_BUDGET / (mPanels * mr * NR)));
        Activation act = epilogue.act();
        boolean eachTile = kc == k && (long) k * group * NR <= PACK_BUDGET && direct && nExt == plane
                && VectorOps.clamps(act) && !epilogue.residual() && epilogue.after() == Activation.NONE;
        lo = act == Activation.NONE ? Float.NEGATIVE_INFINITY : 0f;
        hi = act == Activation.RELU6 ? 6f : Float.POSITIVE_INFINITY;
        Activation act2 = split > 0 ? second.act() : Activation.NONE;
        storesEachTile = eachTile && (split == 0 || VectorOps.clamps(act2) && second.after() == Activation.NONE);
        lo2 = act2 == Activation.NONE ? Float.NEGATIVE_INFINITY : 0f;
        hi2 = act2 == Activation.RELU6 ? 6f : Float.POSITIVE_INFINITY;
        packFloats = (storesEachTile ? k * group : kc) * NR;
        perThread = Math.addExact(pFloats, packFloats + mPanels * mr * group * NR);
        a = pack(weights);
    }

    /**
     * Where row k = (channel, tap) of B starts for a group's first output pixel, from its first
     * channel: in the image {@code layout} pads the input into, or (where {@code layout} is null:
     * stride 1, no padding) in the input as it lies.
     */
    static int[] rowOffsets(ConvShape s, PaddedLayout layout) {
        final int taps = s.kh() * s.kw();
        final int[] offs = new int[s.k()];
        final int cs = layout == null ? s.ih() * s.iw() : layout.channelStride;
        for (int c = 0, r = 0; c < s.icg(); c++) {
            for (int t = 0; t < taps; t++, r++) {
                offs[r] = c * cs + (layout == null ? t / s.kw() * s.dh() * s.iw() + t % s.kw() * s.dw() : layout.taps[t]);
            }
        }
        return offs;
    }

    /** Most floats of B packed at once per thread where every tile stores its own outputs (256 KB: in L2). */
    static final int PACK_BUDGET = 1 << 16;

    /** A row of zeros, where the register tiles load sums that start at zero ({@link #tile}). */
    private static final float[] ZEROS = new float[2 * VL];

    /** Rows of this layer's register tile. */
    int tileRows() {
        return mr;
    }

    /** Blocks K is cut into: the tile starts from zero in the first, from the sums so far in the others. */
    int kBlocks() {
        return Math.ceilDiv(k, kc);
    }

    /** Rows per block when {@code k} rows of B are cut into equal blocks of at most {@link #KC}. */
    static int blockRows(int k) {
        return Math.ceilDiv(k, Math.ceilDiv(k, KC));
    }

    /** Rows per panel for {@code rows} output channels per group, with this machine's tiles. */
    static int rowsPerPanel(int rows) {
        return rowsPerPanel(rows, MR, MR_SHORT, SHORT_FROM);
    }

    /** How many percent more rows the tall tile must compute before the short one is taken (AVX2's measured on Zen 3). */
    static final int SHORT_FROM = REGISTERS >= 32 ? 5 : 25;

    /**
     * Rows per panel for {@code rows} output channels per group: {@code tall} (the faster tile on
     * large layers), unless rounding up to it computes {@code percent} % more rows or over than
     * rounding up to {@code short_} does (AVX-512, 5 %: 64 channels pad to 72 rows of 12 against
     * 64 of 8, 160 to 168; AVX2, 25 %: 16 pad to 20 rows of 5 against 16 of 4). On the
     * AMD EPYC (Zen 5, AVX-512), two threads, 8-row panels against 12: 256 → 64 1×1 at 56×56 0.85
     * of the time, the CIFAR ResNet's 32 → 64 and 16 → 32 stride 2 0.86 and 0.93, 960 → 160 1×1 at
     * 7×7 0.97; with 3 % padded, 1024 → 256 1×1 at 14×14 1.04 and 64 → 128 at 28×28 0.97; with
     * none, within 2 % either way, but 256 → 1024 at 14×14 1.06. Networks (`CompareJars`, both
     * orders): the CIFAR ResNet 1.015 and 0.955, MobileNetV2 1.01 and 0.96, ResNet-50 1.00 and 0.98.
     */
    static int rowsPerPanel(int rows, int tall, int short_, int percent) {
        int byTall = Math.ceilDiv(rows, tall) * tall, byShort = Math.ceilDiv(rows, short_) * short_;
        return (long) byTall * 100 >= (long) byShort * (100 + percent) ? short_ : tall;
    }

    /**
     * Weights as [group][block of K][row panel][kc][mr rows], rows past OC/g zero: the row panels
     * a block of B meets lie one after another, so that a thread sweeping them reads the weights
     * as one stream.
     */
    private float[] pack(float[] w) {
        float[] p = new float[Math.multiplyExact(groups * mPanels * mr, k)];
        for (int g = 0; g < groups; g++) {
            for (int k0 = 0; k0 < k; k0 += kc) {
                int k1 = Math.min(k, k0 + kc);
                for (int mp = 0; mp < mPanels; mp++) {
                    int base = panelAt(g, k0, k1, mp);
                    for (int r = 0; r < mr; r++) {
                        int row = mp * mr + r;
                        if (row >= ocg) break;
                        int src = (g * ocg + row) * k;
                        for (int i = k0; i < k1; i++) p[base + (i - k0) * mr + r] = w[src + i];
                    }
                }
            }
        }
        return p;
    }

    /** Where row panel mp's weights for rows [k0, k1) of K (a block) start. */
    private int panelAt(int g, int k0, int k1, int mp) {
        return g * mPanels * k * mr + blockMajor(k0, k1, mPanels, mp, mr);
    }

    /**
     * Where panel {@code panel} of {@code mr} rows starts among weights laid out block of K first,
     * {@code panels} panels to a block, for the block of rows [k0, k1): every block before it
     * whole (blocks are equal but the last), then the block's earlier panels.
     */
    static int blockMajor(int k0, int k1, int panels, int panel, int mr) {
        return (k0 * panels + panel * (k1 - k0)) * mr;
    }

    @Override
    public long scratchFloats(int threads) {
        return (long) threads * perThread;
    }

    @Override
    public String strategy() {
        return "Vector API GEMM " + mr + "x" + NR + ", B packed in blocks of " + kc + " rows"
                + (direct ? " from the input" : " from a padded input in " + layout.phases
                + " stride phase(s), extended width " + wq + " for " + shape.ow()) + (compact ? ", columns the output pixels" : "");
    }

    @Override
    public void run(float[] x, float[] y, float[] residual, int batch, float[] scratch, Parallel parallel) {
        if (split > 0) throw new IllegalStateException("a convolution split in two runs with two outputs: runPair");
        checkCall(x, y, residual, batch, scratch, parallel);
        samples.run(x, y, residual, batch, scratch, parallel, shape.macs());
    }

    /**
     * Both parts of a split convolution: output channels [0, split) to {@code y1} (batch × split ×
     * OH × OW), the rest to {@code y2}; {@link ConvPair#run} checks the arrays. Only a kernel made
     * with a split is given this call ({@link VectorBackend#split}).
     */
    void runPair(float[] x, float[] y1, float[] y2, int batch, float[] scratch, Parallel parallel) {
        // the second output travels in the residual's place, which a split convolution does not use
        samples.run(x, y1, y2, batch, scratch, parallel, shape.macs());
    }

    /** Share {@code share} of {@code shares} of sample n ({@link SampleShares.Part}); a whole sample with its columns as one run. */
    private void part(float[] x, float[] y, float[] res, float[] scratch, int n, int share, int shares, int at) {
        work(share, shares, shares == 1 || splitsColumns(shares), x, n * inputSize(), y, n * outputSize(), res, scratch, at);
    }

    /**
     * Whether threads share out column panels (else row panels): whichever gives the busiest
     * thread less work. Each thread of a row split packs B (and pads the input) for every column
     * panel, which a column split shares out: that input side of a panel costs about as much as
     * {@link #PACK_SIDE} rows of its products, {@link #PAD_SIDE} more where the input is padded.
     * Counting panels alone, the CIFAR ResNet's 32 → 64 stride-2 conv at 16×16 (five column
     * panels, thirteen row panels) went by rows; by columns it takes 0.87–0.95 of that time on
     * two threads. Where no thread would get more than one column panel and there are many row
     * panels, rows ({@link #WEIGHTS_SPLIT_PANELS}).
     */
    boolean splitsColumns(int threads) {
        final int input = direct ? PACK_SIDE : PACK_SIDE + PAD_SIDE;
        final int rows = mPanels * mr, busiestRows = Math.ceilDiv(mPanels, threads) * mr;
        // each thread one column panel or none: by rows each reads half the weights, not all
        if (groups * nPanels <= threads && mPanels >= WEIGHTS_SPLIT_PANELS * threads) return false;
        return busiestColumnRun(threads) * (input + rows) <= groups * (nPanels - 1 + lastPanelWeight()) * (input + busiestRows);
    }

    /**
     * Row panels per thread from which a sample with no more column panels than threads splits
     * its rows, so that each thread reads its share of the weights rather than all of them
     * (MobileNetV2's and ResNet-50's 1×1 convolutions at 7×7, two column panels, weights of 0.6 to
     * 4 MB). AMD EPYC Zen 5, two threads: MobileNetV2 0.95, 0.98, 0.97 and 0.93 of the time in
     * four runs ({@code CompareJars}, two in each order), ResNet-50 0.98 and 1.04.
     */
    static final int WEIGHTS_SPLIT_PANELS = 8;

    /**
     * The longest of the runs of (group, column panel) units dealt out to {@code threads}, a last
     * panel that takes the half tile ({@link #halfLastPanel}) counting half.
     */
    double busiestColumnRun(int threads) {
        final int units = groups * nPanels;
        double most = 0;
        for (int t = 0; t < threads; t++) {
            int u0 = (int) ((long) units * t / threads), u1 = (int) ((long) units * (t + 1) / threads);
            // the run's last panels of a group: the u in [u0, u1) with u + 1 a multiple of nPanels
            int lasts = u1 / nPanels - u0 / nPanels;
            most = Math.max(most, u1 - u0 - lasts + lasts * lastPanelWeight());
        }
        return most;
    }

    private double lastPanelWeight() {
        return halfLastPanel() ? 0.5 : 1;
    }

    /** Whether each group's last column panel is at most a vector wide, so that the half tile ({@link #tileHalf}) computes it. */
    boolean halfLastPanel() {
        return hasHalfTile(mr) && nExt - (nPanels - 1) * NR <= VL;
    }

    /**
     * Share {@code share} of {@code shares} of one sample, on a thread's part of the scratch at
     * {@code scratch[pBase]} (its padded input there): a contiguous run of (group, column panel) units
     * against all row panels, or (where {@link #splitsColumns} finds that slower) a run of row panels against all
     * columns. Each thread pads the rows of the input its panels read into its own P (all of them
     * for a run of row panels), so one hand-off serves the whole sample.
     */
    private void work(int share, int shares, boolean splitN, float[] x, int xBase, float[] y, int yBase,
                      float[] res, float[] scratch, int pBase) {
        final int bp = pBase + pFloats, sums = bp + packFloats;
        final float[] b = direct ? x : scratch;
        final int bBase = direct ? xBase : pBase;
        if (splitN) {
            int units = groups * nPanels, u1 = (int) ((long) units * (share + 1) / shares);
            for (int u = (int) ((long) units * share / shares); u < u1; ) {
                int g = u / nPanels, j0 = u % nPanels, j1 = Math.min(nPanels, j0 + (u1 - u));
                if (!direct) {
                    int q1 = Math.min(j1 * NR, nExt);
                    // the image rows that output rows j0·NR / pitch through (q1 − 1) / pitch read
                    layout.fill(x, xBase, g * icg, (g + 1) * icg, scratch, pBase + g * icg * cs,
                            j0 * NR / pitch, layout.endRow((q1 - 1) / pitch + 1));
                }
                for (int j = j0; j < j1; j += group) {
                    panels(b, bBase + g * icg * cs, g, j, Math.min(group, j1 - j), 0, mPanels, y, yBase, res, scratch, bp, sums);
                }
                u += j1 - j0;
            }
        } else {
            int m0 = (int) ((long) mPanels * share / shares), m1 = (int) ((long) mPanels * (share + 1) / shares);
            if (m0 == m1) return;
            if (!direct) layout.fill(x, xBase, 0, shape.ic(), scratch, pBase);
            for (int g = 0; g < groups; g++) {
                for (int j = 0; j < nPanels; j += group) {
                    panels(b, bBase + g * icg * cs, g, j, Math.min(group, nPanels - j), m0, m1, y, yBase, res, scratch, bp, sums);
                }
            }
        }
    }

    /**
     * Column panels [j, j + jn) of group g (B row i at {@code src[base + offs[i]]}) against row
     * panels [mp0, mp1): each panel's B is packed KC rows at a time into {@code s[bp]}, where it
     * stays in L1 while every row panel of weights passes over it; every row panel's sums
     * accumulate in {@code s[sums]} (row stride jn × NR), and the epilogue stores them once all
     * of K is summed for the whole group.
     */
    private void panels(float[] src, int base, int g, int j, int jn, int mp0, int mp1, float[] y, int yBase, float[] res,
                        float[] s, int bp, int sums) {
        final int q0 = j * NR, cols = Math.min(jn * NR, nExt - q0), ldc = jn * NR;
        if (storesEachTile) {
            // every column panel of the group packed first, then each row panel sweeps them, so
            // that its rows of the output are written in runs as the tiles go
            for (int p = 0; p < jn; p++) packB(src, base, q0 + p * NR, 0, k, Math.min(NR, cols - p * NR), s, bp + p * k * NR);
            for (int mp = mp0; mp < mp1; mp++) {
                int ai = panelAt(g, 0, k, mp), c0 = g * ocg + mp * mr, rows = Math.min(mr, ocg - mp * mr);
                for (int p = 0; p < jn; p++) {
                    int width = Math.min(NR, cols - p * NR);
                    tile(mr, a, ai, s, bp + p * k * NR, k, s, sums, NR, true);
                    if (split == 0 && rows == mr && width == NR) {
                        outputs(s, sums, mr, y, yBase + c0 * plane + q0 + p * NR, plane, epilogue.bias(), c0, lo, hi);
                    } else if (rows == mr && width == NR && (c0 + rows <= split || c0 >= split)) {
                        // a whole tile of one part of a split convolution
                        int at = partAt(yBase / outputSize(), c0) + q0 + p * NR;
                        if (c0 < split) {
                            outputs(s, sums, mr, y, at, plane, epilogue.bias(), c0, lo, hi);
                        } else {
                            outputs(s, sums, mr, res, at, plane, second.bias(), c0 - split, lo2, hi2);
                        }
                    } else {
                        storeRows(s, sums, NR, c0, rows, q0 + p * NR, width, y, yBase, res);
                    }
                }
            }
            return;
        }
        for (int k0 = 0; k0 < k; k0 += kc) {
            int k1 = Math.min(k, k0 + kc);
            for (int p = 0; p < jn; p++) {
                int width = Math.min(NR, cols - p * NR), mp = mp0;
                packB(src, base, q0 + p * NR, k0, k1, width, s, bp);
                if (width <= VL && hasHalfTile(mr)) {  // only a group's last panel is narrower than NR
                    // the panel's second vector is all padding: two row panels at a time, one vector each
                    for (; mp + 1 < mp1; mp += 2) {
                        int ai = panelAt(g, k0, k1, mp), ci = sums + (mp - mp0) * mr * ldc + p * NR;
                        tileHalf(mr, a, ai, ai + (k1 - k0) * mr, s, bp, k1 - k0, s, ci, ci + mr * ldc, ldc, k0 == 0);
                    }
                }
                for (; mp < mp1; mp++) {
                    int ai = panelAt(g, k0, k1, mp), ci = sums + (mp - mp0) * mr * ldc + p * NR;
                    tile(mr, a, ai, s, bp, k1 - k0, s, ci, ldc, k0 == 0);
                }
            }
        }
        for (int mp = mp0; mp < mp1; mp++) {
            int c0 = g * ocg + mp * mr, rows = Math.min(mr, ocg - mp * mr);
            storeRows(s, sums + (mp - mp0) * mr * ldc, ldc, c0, rows, q0, cols, y, yBase, res);
        }
    }

    /**
     * Rows [k0, k1) of the column panel from column q of B ({@code cols} wide; column q of row i
     * at {@code src[base + offs[i]]} plus its extended column) to {@code p[d]}, NR per row.
     */
    private void packB(float[] src, int base, int q, int k0, int k1, int cols, float[] p, int d) {
        final int[] o = offs;
        final int first = base + column(q), second = base + column(q + VL);
        if (spanShuffles.length > 0) {
            // vectors over several output rows, from P and its slack; a last panel's lanes past
            // its columns are zeroed, and a vector of none of them is not read
            final int ow = shape.ow();
            final VectorShuffle<Float> one = spanShuffles[q % ow], two = spanShuffles[(q + VL) % ow];
            for (int i = k0; i < k1; i++, d += NR) {
                int a = first + o[i], b = second + o[i];
                FloatVector.fromArray(S, src, a).rearrange(one, FloatVector.fromArray(S, src, a + VL)).intoArray(p, d);
                if (cols > VL) FloatVector.fromArray(S, src, b).rearrange(two, FloatVector.fromArray(S, src, b + VL)).intoArray(p, d + VL);
                if (cols < NR) java.util.Arrays.fill(p, d + cols, d + NR, 0f);
            }
            return;
        }
        if (cols == NR) {
            for (int i = k0; i < k1; i++, d += NR) {
                FloatVector.fromArray(S, src, first + o[i]).intoArray(p, d);
                FloatVector.fromArray(S, src, second + o[i]).intoArray(p, d + VL);
            }
        } else {
            // the last panel: copy what there is and zero the rest, reading nothing past the run
            for (int i = k0; i < k1; i++, d += NR) {
                System.arraycopy(src, first + o[i], p, d, Math.min(cols, VL));
                if (cols > VL) System.arraycopy(src, second + o[i], p, d + VL, cols - VL);
                java.util.Arrays.fill(p, d + cols, d + NR, 0f);
            }
        }
    }

    /** The extended column of column q (a multiple of VL). */
    private int column(int q) {
        return compact ? PaddedLayout.extendedColumn(q, shape.ow(), wq) : q;
    }

    /**
     * {@code mr} (12, 8, 5 or 4) rows × 2 vectors over {@code kc} packed rows: weights at
     * {@code a[ai]} ([kc][mr]), B at {@code b[bi]} ([kc][NR]); the sums start at zero
     * ({@code first}) or at {@code c[ci]} (row stride {@code ldc}) and go back there. Each height
     * is written out: Java has no way to keep an array of vectors in registers. Sums that start
     * at zero are loaded from {@link #ZEROS} (row stride 0) rather than from c and blended with
     * zero: the loads then do not wait on the stores of the tile before, whose sums lay at the
     * same place (at K = 16, MobileNetV2's expansion at 112×112, 0.9 of the time on one thread).
     * The choice is made once, not per sum by a branch: C2 compiles a branch as its profile saw
     * it, and a tile that had only started from zero (a network whose K fits one block, called
     * before the warm-up had run the other way) lost the other way to a trap, in code that ran
     * the CIFAR ResNet's 64 → 64 at 8×8 on two threads in 1.3–1.4 times the time.
     */
    static void tile(int mr, float[] a, int ai, float[] b, int bi, int kc, float[] c, int ci, int ldc, boolean first) {
        switch (mr) {
            case 12 -> tile12(a, ai, b, bi, kc, c, ci, ldc, first);
            case 8 -> tile8(a, ai, 8, b, bi, NR, kc, c, ci, ldc, first);
            case 5 -> tile5(a, ai, b, bi, kc, c, ci, ldc, first);
            case 4 -> tile4(a, ai, b, bi, kc, c, ci, ldc, first);
            default -> throw new IllegalArgumentException("no register tile of " + mr + " rows");
        }
    }

    /** Whether tiles of {@code mr} rows have a half tile: two row panels against one vector of columns. */
    static boolean hasHalfTile(int mr) {
        return mr == 5 || mr == 12;
    }

    /** The half tile of {@code mr}-row panels ({@link #tile10Half}, {@link #tile24Half}). */
    static void tileHalf(int mr, float[] a, int ai, int ai2, float[] b, int bi, int kc, float[] c, int ci, int ci2, int ldc, boolean first) {
        if (mr == 5) {
            tile10Half(a, ai, ai2, b, bi, kc, c, ci, ci2, ldc, first);
        } else if (mr == 12) {
            tile24Half(a, ai, ai2, b, bi, kc, c, ci, ci2, ldc, first);
        } else {
            throw new IllegalArgumentException("no half tile of " + mr + "-row panels");
        }
    }

    /**
     * Two row panels of 5 rows (weights at {@code a[ai]} and {@code a[ai2]}, sums at {@code c[ci]}
     * and {@code c[ci2]}) against the first vector of a packed column panel only: for a last
     * panel of at most a vector of columns, whose second vector is padding. Ten sums, as many as
     * {@link #tile5}'s, so that the FMAs' latency stays hidden.
     */
    static void tile10Half(float[] a, int ai, int ai2, float[] b, int bi, int kc, float[] c, int ci, int ci2, int ldc, boolean first) {
        final float[] from = first ? ZEROS : c;
        final int fi = first ? 0 : ci, fi2 = first ? 0 : ci2, fl = first ? 0 : ldc;
        FloatVector c0 = FloatVector.fromArray(S, from, fi);
        FloatVector c1 = FloatVector.fromArray(S, from, fi + fl);
        FloatVector c2 = FloatVector.fromArray(S, from, fi + 2 * fl);
        FloatVector c3 = FloatVector.fromArray(S, from, fi + 3 * fl);
        FloatVector c4 = FloatVector.fromArray(S, from, fi + 4 * fl);
        FloatVector c5 = FloatVector.fromArray(S, from, fi2);
        FloatVector c6 = FloatVector.fromArray(S, from, fi2 + fl);
        FloatVector c7 = FloatVector.fromArray(S, from, fi2 + 2 * fl);
        FloatVector c8 = FloatVector.fromArray(S, from, fi2 + 3 * fl);
        FloatVector c9 = FloatVector.fromArray(S, from, fi2 + 4 * fl);
        for (int i = 0; i < kc; i++, ai += 5, ai2 += 5, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            c0 = FloatVector.broadcast(S, a[ai]).fma(b0, c0);
            c1 = FloatVector.broadcast(S, a[ai + 1]).fma(b0, c1);
            c2 = FloatVector.broadcast(S, a[ai + 2]).fma(b0, c2);
            c3 = FloatVector.broadcast(S, a[ai + 3]).fma(b0, c3);
            c4 = FloatVector.broadcast(S, a[ai + 4]).fma(b0, c4);
            c5 = FloatVector.broadcast(S, a[ai2]).fma(b0, c5);
            c6 = FloatVector.broadcast(S, a[ai2 + 1]).fma(b0, c6);
            c7 = FloatVector.broadcast(S, a[ai2 + 2]).fma(b0, c7);
            c8 = FloatVector.broadcast(S, a[ai2 + 3]).fma(b0, c8);
            c9 = FloatVector.broadcast(S, a[ai2 + 4]).fma(b0, c9);
        }
        c0.intoArray(c, ci);
        c1.intoArray(c, ci + ldc);
        c2.intoArray(c, ci + 2 * ldc);
        c3.intoArray(c, ci + 3 * ldc);
        c4.intoArray(c, ci + 4 * ldc);
        c5.intoArray(c, ci2);
        c6.intoArray(c, ci2 + ldc);
        c7.intoArray(c, ci2 + 2 * ldc);
        c8.intoArray(c, ci2 + 3 * ldc);
        c9.intoArray(c, ci2 + 4 * ldc);
    }

    /**
     * Two row panels of 12 rows against the first vector of a packed column panel only, as
     * {@link #tile10Half} for 5-row panels: 24 sums, as many as {@link #tile12}'s.
     */
    static void tile24Half(float[] a, int ai, int ai2, float[] b, int bi, int kc, float[] c, int ci, int ci2, int ldc, boolean first) {
        final float[] from = first ? ZEROS : c;
        final int fi = first ? 0 : ci, fi2 = first ? 0 : ci2, fl = first ? 0 : ldc;
        FloatVector c0 = FloatVector.fromArray(S, from, fi);
        FloatVector c1 = FloatVector.fromArray(S, from, fi + fl);
        FloatVector c2 = FloatVector.fromArray(S, from, fi + 2 * fl);
        FloatVector c3 = FloatVector.fromArray(S, from, fi + 3 * fl);
        FloatVector c4 = FloatVector.fromArray(S, from, fi + 4 * fl);
        FloatVector c5 = FloatVector.fromArray(S, from, fi + 5 * fl);
        FloatVector c6 = FloatVector.fromArray(S, from, fi + 6 * fl);
        FloatVector c7 = FloatVector.fromArray(S, from, fi + 7 * fl);
        FloatVector c8 = FloatVector.fromArray(S, from, fi + 8 * fl);
        FloatVector c9 = FloatVector.fromArray(S, from, fi + 9 * fl);
        FloatVector c10 = FloatVector.fromArray(S, from, fi + 10 * fl);
        FloatVector c11 = FloatVector.fromArray(S, from, fi + 11 * fl);
        FloatVector c12 = FloatVector.fromArray(S, from, fi2);
        FloatVector c13 = FloatVector.fromArray(S, from, fi2 + fl);
        FloatVector c14 = FloatVector.fromArray(S, from, fi2 + 2 * fl);
        FloatVector c15 = FloatVector.fromArray(S, from, fi2 + 3 * fl);
        FloatVector c16 = FloatVector.fromArray(S, from, fi2 + 4 * fl);
        FloatVector c17 = FloatVector.fromArray(S, from, fi2 + 5 * fl);
        FloatVector c18 = FloatVector.fromArray(S, from, fi2 + 6 * fl);
        FloatVector c19 = FloatVector.fromArray(S, from, fi2 + 7 * fl);
        FloatVector c20 = FloatVector.fromArray(S, from, fi2 + 8 * fl);
        FloatVector c21 = FloatVector.fromArray(S, from, fi2 + 9 * fl);
        FloatVector c22 = FloatVector.fromArray(S, from, fi2 + 10 * fl);
        FloatVector c23 = FloatVector.fromArray(S, from, fi2 + 11 * fl);
        for (int i = 0; i < kc; i++, ai += 12, ai2 += 12, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            c0 = FloatVector.broadcast(S, a[ai]).fma(b0, c0);
            c1 = FloatVector.broadcast(S, a[ai + 1]).fma(b0, c1);
            c2 = FloatVector.broadcast(S, a[ai + 2]).fma(b0, c2);
            c3 = FloatVector.broadcast(S, a[ai + 3]).fma(b0, c3);
            c4 = FloatVector.broadcast(S, a[ai + 4]).fma(b0, c4);
            c5 = FloatVector.broadcast(S, a[ai + 5]).fma(b0, c5);
            c6 = FloatVector.broadcast(S, a[ai + 6]).fma(b0, c6);
            c7 = FloatVector.broadcast(S, a[ai + 7]).fma(b0, c7);
            c8 = FloatVector.broadcast(S, a[ai + 8]).fma(b0, c8);
            c9 = FloatVector.broadcast(S, a[ai + 9]).fma(b0, c9);
            c10 = FloatVector.broadcast(S, a[ai + 10]).fma(b0, c10);
            c11 = FloatVector.broadcast(S, a[ai + 11]).fma(b0, c11);
            c12 = FloatVector.broadcast(S, a[ai2]).fma(b0, c12);
            c13 = FloatVector.broadcast(S, a[ai2 + 1]).fma(b0, c13);
            c14 = FloatVector.broadcast(S, a[ai2 + 2]).fma(b0, c14);
            c15 = FloatVector.broadcast(S, a[ai2 + 3]).fma(b0, c15);
            c16 = FloatVector.broadcast(S, a[ai2 + 4]).fma(b0, c16);
            c17 = FloatVector.broadcast(S, a[ai2 + 5]).fma(b0, c17);
            c18 = FloatVector.broadcast(S, a[ai2 + 6]).fma(b0, c18);
            c19 = FloatVector.broadcast(S, a[ai2 + 7]).fma(b0, c19);
            c20 = FloatVector.broadcast(S, a[ai2 + 8]).fma(b0, c20);
            c21 = FloatVector.broadcast(S, a[ai2 + 9]).fma(b0, c21);
            c22 = FloatVector.broadcast(S, a[ai2 + 10]).fma(b0, c22);
            c23 = FloatVector.broadcast(S, a[ai2 + 11]).fma(b0, c23);
        }
        c0.intoArray(c, ci);
        c1.intoArray(c, ci + ldc);
        c2.intoArray(c, ci + 2 * ldc);
        c3.intoArray(c, ci + 3 * ldc);
        c4.intoArray(c, ci + 4 * ldc);
        c5.intoArray(c, ci + 5 * ldc);
        c6.intoArray(c, ci + 6 * ldc);
        c7.intoArray(c, ci + 7 * ldc);
        c8.intoArray(c, ci + 8 * ldc);
        c9.intoArray(c, ci + 9 * ldc);
        c10.intoArray(c, ci + 10 * ldc);
        c11.intoArray(c, ci + 11 * ldc);
        c12.intoArray(c, ci2);
        c13.intoArray(c, ci2 + ldc);
        c14.intoArray(c, ci2 + 2 * ldc);
        c15.intoArray(c, ci2 + 3 * ldc);
        c16.intoArray(c, ci2 + 4 * ldc);
        c17.intoArray(c, ci2 + 5 * ldc);
        c18.intoArray(c, ci2 + 6 * ldc);
        c19.intoArray(c, ci2 + 7 * ldc);
        c20.intoArray(c, ci2 + 8 * ldc);
        c21.intoArray(c, ci2 + 9 * ldc);
        c22.intoArray(c, ci2 + 10 * ldc);
        c23.intoArray(c, ci2 + 11 * ldc);
    }

    /**
     * A tile's sums for {@code rows} rows at {@code t[ti]} (row stride NR, just stored, so in L1) plus the bias,
     * clamped to [lo, hi], to {@code y[yi]} (row stride {@code ldy}). A NaN stays NaN.
     */
    static void outputs(float[] t, int ti, int rows, float[] y, int yi, int ldy, float[] bias, int c0, float lo, float hi) {
        final FloatVector low = FloatVector.broadcast(S, lo), high = FloatVector.broadcast(S, hi);
        for (int r = 0; r < rows; r++) {
            final float b = bias == null ? 0f : bias[c0 + r];
            FloatVector v0 = FloatVector.fromArray(S, t, ti + r * NR).add(b), v1 = FloatVector.fromArray(S, t, ti + r * NR + VL).add(b);
            v0 = v0.blend(low, v0.compare(VectorOperators.LT, lo)).blend(high, v0.compare(VectorOperators.GT, hi));
            v1 = v1.blend(low, v1.compare(VectorOperators.LT, lo)).blend(high, v1.compare(VectorOperators.GT, hi));
            v0.intoArray(y, yi + r * ldy);
            v1.intoArray(y, yi + r * ldy + VL);
        }
    }

    /** {@link #tile} with 12 rows. */
    private static void tile12(float[] a, int ai, float[] b, int bi, int kc, float[] c, int ci, int ldc, boolean first) {
        final float[] from = first ? ZEROS : c;
        final int fi = first ? 0 : ci, fl = first ? 0 : ldc;
        FloatVector c00 = FloatVector.fromArray(S, from, fi);
        FloatVector c01 = FloatVector.fromArray(S, from, fi + VL);
        FloatVector c10 = FloatVector.fromArray(S, from, fi + 1 * fl);
        FloatVector c11 = FloatVector.fromArray(S, from, fi + 1 * fl + VL);
        FloatVector c20 = FloatVector.fromArray(S, from, fi + 2 * fl);
        FloatVector c21 = FloatVector.fromArray(S, from, fi + 2 * fl + VL);
        FloatVector c30 = FloatVector.fromArray(S, from, fi + 3 * fl);
        FloatVector c31 = FloatVector.fromArray(S, from, fi + 3 * fl + VL);
        FloatVector c40 = FloatVector.fromArray(S, from, fi + 4 * fl);
        FloatVector c41 = FloatVector.fromArray(S, from, fi + 4 * fl + VL);
        FloatVector c50 = FloatVector.fromArray(S, from, fi + 5 * fl);
        FloatVector c51 = FloatVector.fromArray(S, from, fi + 5 * fl + VL);
        FloatVector c60 = FloatVector.fromArray(S, from, fi + 6 * fl);
        FloatVector c61 = FloatVector.fromArray(S, from, fi + 6 * fl + VL);
        FloatVector c70 = FloatVector.fromArray(S, from, fi + 7 * fl);
        FloatVector c71 = FloatVector.fromArray(S, from, fi + 7 * fl + VL);
        FloatVector c80 = FloatVector.fromArray(S, from, fi + 8 * fl);
        FloatVector c81 = FloatVector.fromArray(S, from, fi + 8 * fl + VL);
        FloatVector c90 = FloatVector.fromArray(S, from, fi + 9 * fl);
        FloatVector c91 = FloatVector.fromArray(S, from, fi + 9 * fl + VL);
        FloatVector c100 = FloatVector.fromArray(S, from, fi + 10 * fl);
        FloatVector c101 = FloatVector.fromArray(S, from, fi + 10 * fl + VL);
        FloatVector c110 = FloatVector.fromArray(S, from, fi + 11 * fl);
        FloatVector c111 = FloatVector.fromArray(S, from, fi + 11 * fl + VL);
        for (int i = 0; i < kc; i++, ai += 12, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(S, b, bi), b1 = FloatVector.fromArray(S, b, bi + VL);
            FloatVector w0 = FloatVector.broadcast(S, a[ai]);
            c00 = w0.fma(b0, c00);
            c01 = w0.fma(b1, c01);
            FloatVector w1 = FloatVector.broadcast(S, a[ai + 1]);
            c10 = w1.fma(b0, c10);
            c11 = w1.fma(b1, c11);
            FloatVector w2 = FloatVector.broadcast(S, a[ai + 2]);
            c20 = w2.fma(b0, c20);
            c21 = w2.fma(b1, c21);
            FloatVector w3 = FloatVector.broadcast(S, a[ai + 3]);
            c30 = w3.fma(b0, c30);
            c31 = w3.fma(b1, c31);
            FloatVector w4 = FloatVector.broadcast(S, a[ai + 4]);
            c40 = w4.fma(b0, c40);
            c41 = w4.fma(b1, c41);
            FloatVector w5 = FloatVector.broadcast(S, a[ai + 5]);
            c50 = w5.fma(b0, c50);
            c51 = w5.fma(b1, c51);
            FloatVector w6 = FloatVector.broadcast(S, a[ai + 6]);
            c60 = w6.fma(b0, c60);
            c61 = w6.fma(b1, c61);
            FloatVector w7 = FloatVector.broadcast(S, a[ai + 7]);
            c70 = w7.fma(b0, c70);
            c71 = w7.fma(b1, c71);
            FloatVector w8 = FloatVector.broadcast(S, a[ai + 8]);
            c80 = w8.fma(b0, c80);
            c81 = w8.fma(b1, c81);
            FloatVector w9 = FloatVector.broadcast(S, a[ai + 9]);
            c90 = w9.fma(b0, c90);
            c91 = w9.fma(b1, c91);
            FloatVector w10 = FloatVector.broadcast(S, a[ai + 10]);
            c100 = w10.fma(b0, c100);
            c101 = w10.fma(b1, c101);
            FloatVector w11 = FloatVector.broadcast(S, a[ai + 11]);
            c110 = w11.fma(b0, c110);
            c111 = w11.fma(b1, c111);
        }
        // the sums go out through memory: passing vectors to a call that is not inlined would box
        // them, and C2 then allocates the boxes inside the loop
        c00.intoArray(c, ci);
        c01.intoArray(c, ci + VL);
        c10.intoArray(c, ci + 1 * ldc);
        c11.intoArray(c, ci + 1 * ldc + VL);
        c20.intoArray(c, ci + 2 * ldc);
        c21.intoArray(c, ci + 2 * ldc + VL);
        c30.intoArray(c, ci + 3 * ldc);
        c31.intoArray(c, ci + 3 * ldc + VL);
        c40.intoArray(c, ci + 4 * ldc);
        c41.intoArray(c, ci + 4 * ldc + VL);
        c50.intoArray(c, ci + 5 * ldc);
        c51.intoArray(c, ci + 5 * ldc + VL);
        c60.intoArray(c, ci + 6 * ldc);
        c61.intoArray(c, ci + 6 * ldc + VL);
        c70.intoArray(c, ci + 7 * ldc);
        c71.intoArray(c, ci + 7 * ldc + VL);
        c80.intoArray(c, ci + 8 * ldc);
        c81.intoArray(c, ci + 8 * ldc + VL);
        c90.intoArray(c, ci + 9 * ldc);
        c91.intoArray(c, ci + 9 * ldc + VL);
        c100.intoArray(c, ci + 10 * ldc);
        c101.intoArray(c, ci + 10 * ldc + VL);
        c110.intoArray(c, ci + 11 * ldc);
        c111.intoArray(c, ci + 11 * ldc + VL);
    }

    /**
     * {@link #tile} with 8 rows, the broadcasts of step k at {@code a[ai + k·lda]} and its two
     * vectors at {@code b[bi + k·ldb]}: packed panels (8, NR), or Winograd's V against Uᵀ with
     * the channels along the lanes ({@link VectorWinogradConv}: tiles broadcast, channels the vectors).
     */
    static void tile8(float[] a, int ai, int lda, float[] b, int bi, int ldb, int kc, float[] c, int ci, int ldc, boolean first) {
        final float[] from = first ? ZEROS : c;
        final int fi = first ? 0 : ci, fl = first ? 0 : ldc;
        FloatVector c00 = FloatVector.fromArray(S, from, fi);
        FloatVector c01 = FloatVector.fromArray(S, from, fi + VL);
        FloatVector c10 = FloatVector.fromArray(S, from, fi + 1 * fl);
        FloatVector c11 = FloatVector.fromArray(S, from, fi + 1 * fl + VL);
        FloatVector c20 = FloatVector.fromArray(S, from, fi + 2 * fl);
        FloatVector c21 = FloatVector.fromArray(S, from, fi + 2 * fl + VL);
        FloatVector c30 = FloatVector.fromArray(S, from, fi + 3 * fl);
        FloatVector c31 = FloatVector.fromArray(S, from, fi + 3 * fl + VL);
        FloatVector c40 = FloatVector.fromArray(S, from, fi + 4 * fl);
        FloatVector c41 = FloatVector.fromArray(S, from, fi + 4 * fl + VL);
        FloatVector c50 = FloatVector.fromArray(S, from, fi + 5 * fl);
        FloatVector c51 = FloatVector.fromArray(S, from, fi + 5 * fl + VL);
        FloatVector c60 = FloatVector.fromArray(S, from, fi + 6 * fl);
        FloatVector c61 = FloatVector.fromArray(S, from, fi + 6 * fl + VL);
        FloatVector c70 = FloatVector.fromArray(S, from, fi + 7 * fl);
        FloatVector c71 = FloatVector.fromArray(S, from, fi + 7 * fl + VL);
        for (int i = 0; i < kc; i++, ai += lda, bi += ldb) {
            FloatVector b0 = FloatVector.fromArray(S, b, bi), b1 = FloatVector.fromArray(S, b, bi + VL);
            FloatVector w0 = FloatVector.broadcast(S, a[ai]);
            c00 = w0.fma(b0, c00);
            c01 = w0.fma(b1, c01);
            FloatVector w1 = FloatVector.broadcast(S, a[ai + 1]);
            c10 = w1.fma(b0, c10);
            c11 = w1.fma(b1, c11);
            FloatVector w2 = FloatVector.broadcast(S, a[ai + 2]);
            c20 = w2.fma(b0, c20);
            c21 = w2.fma(b1, c21);
            FloatVector w3 = FloatVector.broadcast(S, a[ai + 3]);
            c30 = w3.fma(b0, c30);
            c31 = w3.fma(b1, c31);
            FloatVector w4 = FloatVector.broadcast(S, a[ai + 4]);
            c40 = w4.fma(b0, c40);
            c41 = w4.fma(b1, c41);
            FloatVector w5 = FloatVector.broadcast(S, a[ai + 5]);
            c50 = w5.fma(b0, c50);
            c51 = w5.fma(b1, c51);
            FloatVector w6 = FloatVector.broadcast(S, a[ai + 6]);
            c60 = w6.fma(b0, c60);
            c61 = w6.fma(b1, c61);
            FloatVector w7 = FloatVector.broadcast(S, a[ai + 7]);
            c70 = w7.fma(b0, c70);
            c71 = w7.fma(b1, c71);
        }
        // the sums go out through memory: passing vectors to a call that is not inlined would box
        // them, and C2 then allocates the boxes inside the loop
        c00.intoArray(c, ci);
        c01.intoArray(c, ci + VL);
        c10.intoArray(c, ci + 1 * ldc);
        c11.intoArray(c, ci + 1 * ldc + VL);
        c20.intoArray(c, ci + 2 * ldc);
        c21.intoArray(c, ci + 2 * ldc + VL);
        c30.intoArray(c, ci + 3 * ldc);
        c31.intoArray(c, ci + 3 * ldc + VL);
        c40.intoArray(c, ci + 4 * ldc);
        c41.intoArray(c, ci + 4 * ldc + VL);
        c50.intoArray(c, ci + 5 * ldc);
        c51.intoArray(c, ci + 5 * ldc + VL);
        c60.intoArray(c, ci + 6 * ldc);
        c61.intoArray(c, ci + 6 * ldc + VL);
        c70.intoArray(c, ci + 7 * ldc);
        c71.intoArray(c, ci + 7 * ldc + VL);
    }

    /** {@link #tile} with 5 rows. */
    private static void tile5(float[] a, int ai, float[] b, int bi, int kc, float[] c, int ci, int ldc, boolean first) {
        final float[] from = first ? ZEROS : c;
        final int fi = first ? 0 : ci, fl = first ? 0 : ldc;
        FloatVector c00 = FloatVector.fromArray(S, from, fi);
        FloatVector c01 = FloatVector.fromArray(S, from, fi + VL);
        FloatVector c10 = FloatVector.fromArray(S, from, fi + 1 * fl);
        FloatVector c11 = FloatVector.fromArray(S, from, fi + 1 * fl + VL);
        FloatVector c20 = FloatVector.fromArray(S, from, fi + 2 * fl);
        FloatVector c21 = FloatVector.fromArray(S, from, fi + 2 * fl + VL);
        FloatVector c30 = FloatVector.fromArray(S, from, fi + 3 * fl);
        FloatVector c31 = FloatVector.fromArray(S, from, fi + 3 * fl + VL);
        FloatVector c40 = FloatVector.fromArray(S, from, fi + 4 * fl);
        FloatVector c41 = FloatVector.fromArray(S, from, fi + 4 * fl + VL);
        for (int i = 0; i < kc; i++, ai += 5, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(S, b, bi), b1 = FloatVector.fromArray(S, b, bi + VL);
            FloatVector w0 = FloatVector.broadcast(S, a[ai]);
            c00 = w0.fma(b0, c00);
            c01 = w0.fma(b1, c01);
            FloatVector w1 = FloatVector.broadcast(S, a[ai + 1]);
            c10 = w1.fma(b0, c10);
            c11 = w1.fma(b1, c11);
            FloatVector w2 = FloatVector.broadcast(S, a[ai + 2]);
            c20 = w2.fma(b0, c20);
            c21 = w2.fma(b1, c21);
            FloatVector w3 = FloatVector.broadcast(S, a[ai + 3]);
            c30 = w3.fma(b0, c30);
            c31 = w3.fma(b1, c31);
            FloatVector w4 = FloatVector.broadcast(S, a[ai + 4]);
            c40 = w4.fma(b0, c40);
            c41 = w4.fma(b1, c41);
        }
        c00.intoArray(c, ci);
        c01.intoArray(c, ci + VL);
        c10.intoArray(c, ci + 1 * ldc);
        c11.intoArray(c, ci + 1 * ldc + VL);
        c20.intoArray(c, ci + 2 * ldc);
        c21.intoArray(c, ci + 2 * ldc + VL);
        c30.intoArray(c, ci + 3 * ldc);
        c31.intoArray(c, ci + 3 * ldc + VL);
        c40.intoArray(c, ci + 4 * ldc);
        c41.intoArray(c, ci + 4 * ldc + VL);
    }

    /** {@link #tile} with 4 rows. */
    private static void tile4(float[] a, int ai, float[] b, int bi, int kc, float[] c, int ci, int ldc, boolean first) {
        final float[] from = first ? ZEROS : c;
        final int fi = first ? 0 : ci, fl = first ? 0 : ldc;
        FloatVector c00 = FloatVector.fromArray(S, from, fi);
        FloatVector c01 = FloatVector.fromArray(S, from, fi + VL);
        FloatVector c10 = FloatVector.fromArray(S, from, fi + 1 * fl);
        FloatVector c11 = FloatVector.fromArray(S, from, fi + 1 * fl + VL);
        FloatVector c20 = FloatVector.fromArray(S, from, fi + 2 * fl);
        FloatVector c21 = FloatVector.fromArray(S, from, fi + 2 * fl + VL);
        FloatVector c30 = FloatVector.fromArray(S, from, fi + 3 * fl);
        FloatVector c31 = FloatVector.fromArray(S, from, fi + 3 * fl + VL);
        for (int i = 0; i < kc; i++, ai += 4, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(S, b, bi), b1 = FloatVector.fromArray(S, b, bi + VL);
            FloatVector w0 = FloatVector.broadcast(S, a[ai]);
            c00 = w0.fma(b0, c00);
            c01 = w0.fma(b1, c01);
            FloatVector w1 = FloatVector.broadcast(S, a[ai + 1]);
            c10 = w1.fma(b0, c10);
            c11 = w1.fma(b1, c11);
            FloatVector w2 = FloatVector.broadcast(S, a[ai + 2]);
            c20 = w2.fma(b0, c20);
            c21 = w2.fma(b1, c21);
            FloatVector w3 = FloatVector.broadcast(S, a[ai + 3]);
            c30 = w3.fma(b0, c30);
            c31 = w3.fma(b1, c31);
        }
        c00.intoArray(c, ci);
        c01.intoArray(c, ci + VL);
        c10.intoArray(c, ci + 1 * ldc);
        c11.intoArray(c, ci + 1 * ldc + VL);
        c20.intoArray(c, ci + 2 * ldc);
        c21.intoArray(c, ci + 2 * ldc + VL);
        c30.intoArray(c, ci + 3 * ldc);
        c31.intoArray(c, ci + 3 * ldc + VL);
    }

    /**
     * {@link #store} for output channels [c0, c0 + rows) of the sample whose first output is at
     * {@code yBase} as if there were one output: where the convolution is split, the rows before
     * the split to {@code y} and the rest to {@code y2} (the residual's place), each output
     * numbered from its own first channel, each part through its own epilogue.
     */
    private void storeRows(float[] t, int to, int ts, int c0, int rows, int q0, int cols, float[] y, int yBase, float[] y2) {
        if (split == 0) {
            store(t, to, ts, c0, rows, q0, cols, y, yBase + c0 * plane, y2, epilogue);
            return;
        }
        final int n = yBase / outputSize(), end = c0 + rows;
        if (c0 < split) store(t, to, ts, c0, Math.min(end, split) - c0, q0, cols, y, partAt(n, c0), null, epilogue);
        if (end > split) {
            int from = Math.max(c0, split);
            store(t, to + (from - c0) * ts, ts, from - split, end - from, q0, cols, y2, partAt(n, from), null, second);
        }
    }

    /**
     * Where output channel c of sample n starts in its part's output where the convolution is split:
     * channels before the split in the first (split of them a sample), the rest in the second.
     */
    private int partAt(int n, int c) {
        return (c < split ? n * split + c : n * (shape.oc() - split) + c - split) * plane;
    }

    /**
     * Stores sums through the epilogue: sums at {@code t[to]} (row stride {@code ts}) for output channels
     * [c0, c0 + rows) and extended columns [q0, q0 + cols); {@code yc} is channel c0's first output.
     * Extended columns past OW are dropped: the tile is stored as the runs that fall in output rows.
     */
    private void store(float[] t, int to, int ts, int c0, int rows, int q0, int cols, float[] y, int yc, float[] res, Epilogue epilogue) {
        final int ow = shape.ow();
        if (pitch == ow) {
            VectorOps.epilogue(t, to, ts, y, yc + q0, plane, rows, cols, c0, epilogue, res);
            return;
        }
        int q = q0, end = q0 + cols, r = q0 / wq, col = q0 - r * wq;
        while (q < end) {
            if (col < ow) {
                int len = Math.min(ow - col, end - q);
                VectorOps.epilogue(t, to + q - q0, ts, y, yc + r * ow + col, plane, rows, len, c0, epilogue, res);
                q += len;
                col += len;
            }
            q += wq - col;
            r++;
            col = 0;
        }
    }
}
