package org.cnnc.runtime.kernels;

import static org.cnnc.runtime.kernels.VectorOps.S;
import static org.cnnc.runtime.kernels.VectorOps.VL;
import static org.cnnc.runtime.kernels.VectorOps.ZERO;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import org.cnnc.runtime.Parallel;

/**
 * A 3×3 stride-1 convolution by Winograd's F(m×m, 3×3), m = 2 or 4: each m×m block of outputs (a
 * tile) is computed from its a×a window of input (a = m + 2) with a² multiplies per channel pair
 * instead of 9m² (16 instead of 36, or 36 instead of 144). The weights are transformed once, at
 * creation, into a² matrices U[ξ] = (G·g·Gᵀ)[ξ] (OC × IC); per call the input windows are
 * transformed into V[ξ] = (Bᵀ·d·B)[ξ] (IC × tiles), the a² products M[ξ] = U[ξ]·V[ξ] run on
 * {@link VectorGemmConv}'s register tile, and the output transform Aᵀ·M·A gives the m² outputs
 * of each tile, stored through the epilogue.
 *
 * <p>Tiles are numbered as the "extended columns" of an a×a stride-m convolution over the padded
 * input ({@link PaddedLayout}, m×m stride phases): q = ty·Wq + tx, Wq = tiles per row + 1, so
 * that element (i, j) of the windows of consecutive tiles is one contiguous vector load. Vectors
 * run along tiles; a column panel is NR = 2 vectors of tiles, transformed, multiplied (all a²
 * products, every row panel, K in blocks of at most {@link VectorGemmConv#KC} channels) and
 * stored before the next. An output whose height or width is not a multiple of m takes one more
 * row or column of tiles, whose outputs outside the output are dropped.
 *
 * <p>Where a row of tiles is a whole number of vectors, and on small maps where the extended
 * column of each row can take a column panel of its own (7×7 with 2×2 tiles: 16 tiles, 19
 * extended columns), the tiles are numbered without it, q = ty·tiles per row + tx ({@link
 * Conv2d#compactTiles}); a vector of window elements whose tiles span rows of tiles is then
 * gathered from P ({@link #gatherWindows}). Elsewhere the extended columns start each row of tiles
 * at a whole vector where that takes no more panels. Where U is small, threads share a sample's
 * columns by vectors of tiles rather than whole panels ({@link #VECTOR_SPLIT_U}).
 *
 * <p>Where one vector of 2×2 tiles covers the output, the products run the other way round, the
 * output channels along the lanes ({@link #lanes}, {@link Conv2d#alongLanes}).
 */
final class VectorWinogradConv extends Conv2d {
    private static final int NR = 2 * VL;
    /**
     * The input and output sides of a column panel (see {@link #splitsColumns}): from a profile of
     * 16 → 16 channels at 32×32 on one thread (AMD EPYC, AVX2), where the register tile took 46 %
     * of the time, filling P and transforming V 25 %, transforming M and storing 24 %.
     */
    static final int INPUT_SIDE = 8, OUTPUT_SIDE = 8;
    /** Interleaves two vectors of a row's even and odd outputs: the low and the high half. */
    private static final VectorShuffle<Float> ZIP_LO = VectorShuffle.fromOp(S, i -> (i & 1) == 0 ? i / 2 : VL + i / 2),
            ZIP_HI = VectorShuffle.fromOp(S, i -> (i & 1) == 0 ? VL / 2 + i / 2 : VL + VL / 2 + i / 2);

    /**
     * G of F(2×2, 3×3), and of F(4×4, 3×3) from the points 0, 1, −1, 1/2, −2 and ∞ (a × 3):
     * with 2 in place of 1/2, the usual choice, the rounding error of 256 channels was twice as
     * large.
     */
    private static final double[][] G2 = {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}},
            G4 = {{1, 0, 0}, {1 / 3.0, 1 / 3.0, 1 / 3.0}, {-1 / 3.0, 1 / 3.0, -1 / 3.0},
                  {-16 / 15.0, -8 / 15.0, -4 / 15.0}, {1 / 15.0, -2 / 15.0, 4 / 15.0}, {0, 0, 1}};

    /** The padded input split into stride phases, as the extended numbering of the tiles reads it. */
    private final PaddedLayout layout;
    /** Whether the tiles are numbered without the extended column, q = ty·tiles per row + tx. */
    private final boolean compact;
    /**
     * Whether threads sharing a sample by columns take runs of vectors of tiles rather than of
     * column panels, a vector at either end of a run computed alone ({@link #vector}).
     */
    private final boolean byVectors;
    /**
     * Whether the output transform applies the epilogue and stores straight into Y: 2×2 tiles
     * numbered row after row, an even output, an activation that clamps, and rows of tiles
     * whole vectors or half a vector (then each half of a vector of outputs is a whole output
     * row) and whole vectors of tiles, so that a vector of tiles gives whole runs of output rows.
     * Else the outputs go to Z first and {@link #store} passes them through the epilogue.
     */
    private final boolean direct;
    /** For {@link #direct}: where a vector of tiles' outputs from its second half of tiles go, past the first's. */
    private final int secondHalf;
    /**
     * Whether the products run with output channels along the lanes ({@link #lanes}): 2×2 tiles
     * numbered compactly, exactly one vector of them covering the output (CIFAR's 8×8), output
     * channels a multiple of two vectors, an activation that clamps. A vector of tiles against
     * panels of output channels runs on a tile of one vector of columns, which loads a weight for
     * every FMA; with the channels along the lanes a tile of two vectors of channels by eight
     * tiles loads ten values for sixteen FMAs, and no row panel is padding.
     */
    private final boolean lanes;
    /** For {@link #lanes}: U as [ξ][input channel][output channel]. */
    private final float[] ut;
    /**
     * For {@link #lanes}: where output pixel q's first channel is in the channels-last outputs,
     * whose pixels are the tiles' (2·tiles per row a row, the ones outside the output dropped).
     */
    private final int[] outputAt;
    /** For {@link #lanes} on an input of at most four vectors: how each window is picked from them ({@link #transformFromInput}). */
    private final InputWindows fromInput;
    /** For {@link #fromInput} on eight rows half a vector long, padded by one: how rows are picked ({@link #transformFromRows}). */
    private final RowPicks fromRows;

    /**
     * Per window element (i, j) of the a²: the shuffles that pick each tile's input pixel from the
     * first two vectors of a channel's plane and from the last two, which lanes take the last
     * two's, and which lie in the padding; and the masks of the plane's four vectors.
     */
    private record InputWindows(VectorShuffle<Float>[] low, VectorShuffle<Float>[] high, VectorMask<Float>[] highLanes,
                                VectorMask<Float>[] padding, VectorMask<Float>[] parts) {
        static InputWindows of(ConvShape s, int a, int tilesW) {
            final int products = a * a;
            VectorShuffle<Float>[] low = shuffles(products), high = shuffles(products);
            VectorMask<Float>[] highLanes = masks(products), padding = masks(products), parts = masks(4);
            for (int e = 0; e < products; e++) {
                int[] pixel = new int[VL];
                for (int t = 0; t < VL; t++) {
                    int i = 2 * (t / tilesW) + e / a - s.ph(), j = 2 * (t % tilesW) + e % a - s.pw();
                    pixel[t] = i >= 0 && i < s.ih() && j >= 0 && j < s.iw() ? i * s.iw() + j : -1;
                }
                // indexes of VL and over pick from the second vector of each pair
                low[e] = VectorShuffle.fromOp(S, t -> pixel[t] >= 0 && pixel[t] < 2 * VL ? pixel[t] : 0);
                high[e] = VectorShuffle.fromOp(S, t -> pixel[t] >= 2 * VL ? pixel[t] - 2 * VL : 0);
                highLanes[e] = VectorMask.fromLong(S, laneBits(pixel, p -> p >= 2 * VL));
                padding[e] = VectorMask.fromLong(S, laneBits(pixel, p -> p < 0));
            }
            for (int k = 0; k < 4; k++) parts[k] = S.indexInRange(k * VL, s.ih() * s.iw());
            return new InputWindows(low, high, highLanes, padding, parts);
        }
    }

    /**
     * Per window column j, the shuffle that picks each tile's input column from a pair of
     * vectors of rows; the lanes of tiles whose window columns 0 and 3 lie in the padding.
     */
    private record RowPicks(VectorShuffle<Float>[] columns, VectorMask<Float> left, VectorMask<Float> right) {
        static RowPicks of(int a, int tilesW) {
            VectorShuffle<Float>[] columns = shuffles(a);
            int[] lanes = new int[VL];
            for (int t = 0; t < VL; t++) lanes[t] = t;
            for (int j = 0; j < a; j++) {
                final int jj = j;
                // lane t: row t / tilesW of the four in the pair, column 2·(t % tilesW) + j − 1 (clamped where it is padding)
                columns[j] = VectorShuffle.fromOp(S, t -> t / tilesW * (VL / 2) + Math.clamp(2 * (t % tilesW) + jj - 1, 0, VL / 2 - 1));
            }
            return new RowPicks(columns, VectorMask.fromLong(S, laneBits(lanes, t -> t % tilesW == 0)),
                    VectorMask.fromLong(S, laneBits(lanes, t -> t % tilesW == tilesW - 1)));
        }
    }
    /** The epilogue's steps, for {@link #direct}. */
    private final boolean relu, six, residual, reluAfter, sixAfter;
    /** Whether a vector of tiles can run alone, on the half tile of two row panels ({@link #vector}): 5- or 12-row panels. */
    private final boolean halfTile;
    /** What threads split the columns into: runs of units of perUnit vectors (a vector, or a panel, the last perhaps one). */
    private final int units, perUnit;
    /** Outputs per tile side, window side, and products (a²). */
    private final int m, a, products;
    /** wq: tiles per row of the numbering; nExt: columns of the numbering (the tiles, with or without the extended ones). */
    private final int ic, oc, mr, mPanels, rows, kc, tilesH, tilesW, wq, nExt, nPanels, vectors, plane;
    /**
     * Where window element (i, j) of tile q is within an input channel's part of P: taps[i·a + j]
     * plus q's extended column ({@link #column}).
     */
    private final int[] taps;
    /** Where {@link #gatherWindows} puts window element k: k·VL. */
    private final int[] gatheredTaps;
    /**
     * For the compact numbering: per column a vector's first tile starts at in its row of tiles,
     * the two-vector shuffle that picks its tiles' windows from P, where each next row of tiles
     * lies one column further on.
     */
    private final VectorShuffle<Float>[] windowShuffles;
    /** Floats of P per input channel. */
    private final int channelStride;
    /**
     * U as [block of channels][ξ][row panel][channel in the block][mr], rows past OC zero: the
     * products of a block read their weights as one stream.
     */
    private final float[] u;
    /**
     * Scratch per thread: the padded input (P, with a panel of slack), V for one block of
     * channels, M, the zipped rows, and (F(4×4)) the output transform's first pass.
     */
    private final int pFloats, vFloats, mFloats, zFloats, perThread;
    /**
     * Floats from V[ξ] to V[ξ + 1]: a block of channels and a cache line more. At kc·NR alone the
     * blocks of 64 or 128 channels are 4 or 8 KB apart, and the 16 or 36 stores of a transformed
     * window all fall in one set of the L1 cache, which holds 8 lines.
     */
    private final int vStep;
    private final SampleShares samples = new SampleShares(this::part);
    /**
     * The largest U (bytes) for which threads split the columns by vectors ({@link #byVectors}):
     * a thread that computes a vector of a panel alone reads all of U for half the products.
     * 64 → 64 channels at 8×8 (256 KB, in L2), one panel numbered compactly, a vector each: 0.75–0.82
     * of the time of two panels of extended columns, one each; 256 → 256 at 14×14 in 4×4 tiles
     * (9 MB), one panel, a vector each: 1.45 of a row split.
     */
    static final long VECTOR_SPLIT_U = 256 * 1024;

    VectorWinogradConv(ConvShape s, float[] weights, Epilogue epilogue, int m) {
        this(s, weights, epilogue, m, Conv2d.compactTiles(m, Math.ceilDiv(s.oh(), m), Math.ceilDiv(s.ow(), m), NR, s.ic(), s.oc()));
    }

    /** With the tiles numbered compactly or with extended columns, as {@code compact} says. */
    VectorWinogradConv(ConvShape s, float[] weights, Epilogue epilogue, int m, boolean compact) {
        super(s, epilogue);
        if (!s.winogradTiles()) throw new IllegalArgumentException("not a 3x3 stride-1 convolution: " + s);
        if (m != 2 && m != 4) throw new IllegalArgumentException("Winograd tiles are 2x2 or 4x4, not " + m + "x" + m);
        this.m = m;
        a = m + 2;
        products = a * a;
        ic = s.ic();
        oc = s.oc();
        // the windows: an a×a stride-m "convolution" whose outputs are the tiles; an output not a
        // multiple of m has a last row (column) of tiles partly outside, read from more rows of padding
        tilesH = Math.ceilDiv(s.oh(), m);
        tilesW = Math.ceilDiv(s.ow(), m);
        this.compact = compact;
        // the windows' columns: one tile more than the tiles (the extended column), or as many
        // more as start each row of tiles at a whole vector where that takes no more panels
        int pitch = tilesW + 1, aligned = Math.ceilDiv(pitch, VL) * VL;
        if (!compact && Math.ceilDiv((tilesH - 1) * aligned + tilesW, NR) <= Math.ceilDiv((tilesH - 1) * pitch + tilesW, NR)) {
            pitch = aligned;
        }
        layout = new PaddedLayout(new ConvShape(ic, s.ih() + tilesH * m - s.oh(), s.iw() + (pitch - 1) * m - s.ow(), oc, a, a, m, m,
                s.ph(), s.pw(), 1, 1, 1), s.ih(), s.iw(), 0f);
        wq = compact ? tilesW : layout.wq;
        nExt = compact ? tilesH * tilesW : (tilesH - 1) * wq + tilesW;
        nPanels = (nExt + NR - 1) / NR;
        taps = layout.taps;
        gatheredTaps = new int[products];
        for (int k = 0; k < products; k++) gatheredTaps[k] = k * VL;
        windowShuffles = VectorOps.acrossRuns(compact ? tilesW : 0, 1);
        channelStride = layout.channelStride;
        mr = VectorGemmConv.rowsPerPanel(oc);
        vectors = Math.ceilDiv(nExt, VL);
        halfTile = VectorGemmConv.hasHalfTile(mr);
        // measured with AVX2's 5-row tiles only
        byVectors = mr == 5 && (long) products * ic * oc * Float.BYTES <= VECTOR_SPLIT_U;
        units = byVectors ? vectors : nPanels;
        perUnit = byVectors ? 1 : 2;
        mPanels = (oc + mr - 1) / mr;
        rows = mPanels * mr;
        kc = VectorGemmConv.blockRows(ic);
        pFloats = Math.addExact(Math.multiplyExact(ic, channelStride), NR);
        vStep = kc * NR + 16;
        vFloats = products * vStep;
        mFloats = Math.multiplyExact(products * rows, NR);
        // Z also holds the windows gathered for the compact numbering, before the products
        zFloats = Math.max(Math.multiplyExact(oc * m * m, NR) + (m == 4 ? 4 * 6 * VL : 0), products * VL);
        perThread = Math.addExact(Math.addExact(pFloats, vFloats), Math.addExact(mFloats, zFloats));
        lanes = m == 2 && compact && Conv2d.alongLanes(s, NR) && VectorOps.clamps(epilogue.act()) && VectorOps.clamps(epilogue.after());
        u = lanes ? null : transformWeights(weights, false);
        ut = lanes ? transformWeights(weights, true) : null;
        plane = s.oh() * s.ow();
        outputAt = lanes ? new int[Math.ceilDiv(plane, VL) * VL] : null;
        for (int q = 0; q < plane && lanes; q++) outputAt[q] = ((q / s.ow()) * 2 * tilesW + q % s.ow()) * oc;
        fromInput = lanes && s.ih() * s.iw() <= 4 * VL ? InputWindows.of(s, a, tilesW) : null;
        fromRows = fromInput != null && s.iw() == VL / 2 && s.ih() == 8 && s.ph() == 1 && s.pw() == 1 ? RowPicks.of(a, tilesW) : null;
        direct = m == 2 && compact && (tilesW % VL == 0 || 2 * tilesW == VL) && nExt % VL == 0 && s.oh() % 2 == 0
                && s.ow() % 2 == 0 && VectorOps.clamps(epilogue.act()) && VectorOps.clamps(epilogue.after());
        // the second half of a vector of tiles: the next VL outputs of the row, or the next row of tiles
        secondHalf = tilesW % VL == 0 ? VL : 2 * s.ow();
        relu = VectorOps.clampsAtZero(epilogue.act());
        six = VectorOps.clampsAtSix(epilogue.act());
        residual = epilogue.residual();
        reluAfter = VectorOps.clampsAtZero(epilogue.after());
        sixAfter = VectorOps.clampsAtSix(epilogue.after());
    }

    /** Outputs per tile side. */
    int tileSide() {
        return m;
    }

    /** Whether the tiles are numbered without the extended column. */
    boolean compact() {
        return compact;
    }

    /** Whether the output transform stores through the epilogue into Y itself ({@link #direct}). */
    boolean storesDirect() {
        return direct;
    }

    @SuppressWarnings("unchecked")
    private static VectorMask<Float>[] masks(int n) {
        return new VectorMask[n];
    }

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] shuffles(int n) {
        return new VectorShuffle[n];
    }

    /** The lanes whose value passes {@code test}, as mask bits. */
    private static long laneBits(int[] values, java.util.function.IntPredicate test) {
        long bits = 0;
        for (int l = 0; l < values.length; l++) bits |= test.test(values[l]) ? 1L << l : 0;
        return bits;
    }

    /** Whether the products run with output channels along the lanes ({@link #lanes}). */
    boolean channelsInLanes() {
        return lanes;
    }

    /** U[ξ] = G·g·Gᵀ per (oc, ic), packed as the register tile reads it, or (for {@link #lanes}) as [ξ][ic][oc]. */
    private float[] transformWeights(float[] w, boolean byChannel) {
        final double[][] g = m == 2 ? G2 : G4;
        float[] p = new float[Math.multiplyExact(products * (byChannel ? oc : rows), ic)];
        double[] t = new double[a * 3];
        for (int o = 0; o < oc; o++) {
            int mp = o / mr, r = o % mr;
            for (int c = 0; c < ic; c++) {
                int src = (o * ic + c) * 9, c0 = c / kc * kc, c1 = Math.min(ic, c0 + kc);
                for (int i = 0; i < a; i++) {       // t = G·g (a × 3)
                    for (int j = 0; j < 3; j++) {
                        t[i * 3 + j] = g[i][0] * w[src + j] + g[i][1] * w[src + 3 + j] + g[i][2] * w[src + 6 + j];
                    }
                }
                for (int i = 0; i < a; i++) {       // U = t·Gᵀ (a × a)
                    for (int j = 0; j < a; j++) {
                        double v = t[i * 3] * g[j][0] + t[i * 3 + 1] * g[j][1] + t[i * 3 + 2] * g[j][2];
                        p[byChannel ? ((i * a + j) * ic + c) * oc + o : weightsAt(c0, c1, i * a + j, mp) + (c - c0) * mr + r] = (float) v;
                    }
                }
            }
        }
        return p;
    }

    /** Where row panel mp's weights of product xi for channels [c0, c1) (a block) start in U. */
    private int weightsAt(int c0, int c1, int xi, int mp) {
        return VectorGemmConv.blockMajor(c0, c1, products * mPanels, xi * mPanels + mp, mr);
    }

    @Override
    public long scratchFloats(int threads) {
        return (long) threads * perThread;
    }

    @Override
    public String strategy() {
        if (lanes) {
            return "Vector API Winograd F(2x2,3x3): " + products + " products over " + nExt + " tiles, output channels along the lanes"
                    + " in tiles of " + 2 * VL + " channels x " + LANE_TILES + " tiles, K in blocks of " + kc
                    + (fromRows != null ? ", windows from the input's rows, transformed along them first"
                    : fromInput != null ? ", windows picked from the input" : "");
        }
        return "Vector API Winograd F(" + m + "x" + m + ",3x3): " + products + " products of " + mr + "x" + NR + " tiles over "
                + nExt + (compact ? " tiles" : " extended tiles") + ", K in blocks of " + kc
                + (byVectors ? ", threads split by vectors of tiles" : "");
    }

    @Override
    public void run(float[] x, float[] y, float[] residual, int batch, float[] scratch, Parallel parallel) {
        checkCall(x, y, residual, batch, scratch, parallel);
        // the work the products do, to decide as the GEMM kernel would
        samples.run(x, y, residual, batch, scratch, parallel, (long) products * rows * ic * nPanels * NR);
    }

    /**
     * Share t of {@code threads} of sample n ({@link SampleShares.Part}; one of one: the whole
     * sample): a contiguous run of its columns (vectors of tiles, or whole column panels), or
     * (where {@link #splitsColumns} finds that slower, as on small images) of its row panels against
     * every column, each thread then transforming the whole input; or, along the lanes, a run of its
     * pairs of vectors of output channels, each thread transforming the whole input.
     */
    private void part(float[] x, float[] y, float[] res, float[] scratch, int n, int t, int threads, int base) {
        if (threads == 1) {
            whole(x, n, y, res, scratch, base);
        } else if (lanes) {
            int pairs = oc / (2 * VL);
            lanes(x, n, y, res, scratch, base, 2 * VL * (pairs * t / threads), 2 * VL * (pairs * (t + 1) / threads));
        } else if (splitsColumns(threads)) {
            work(Math.min(vectors, perUnit * (units * t / threads)), Math.min(vectors, perUnit * (units * (t + 1) / threads)), 0,
                    mPanels, x, n, y, res, scratch, base);
        } else {
            work(0, vectors, mPanels * t / threads, mPanels * (t + 1) / threads, x, n, y, res, scratch, base);
        }
    }

    /** All of sample n on the scratch at {@code s[base]}. */
    private void whole(float[] x, int n, float[] y, float[] res, float[] s, int base) {
        if (lanes) {
            lanes(x, n, y, res, s, base, 0, oc);
        } else {
            work(0, vectors, 0, mPanels, x, n, y, res, s, base);
        }
    }

    /** Tiles per register tile along the lanes: the 8-row tile's rows ({@link VectorGemmConv#tile8}). */
    static final int LANE_TILES = 8;

    /**
     * {@link #lanes}: output channels [o0, o1) (whole pairs of vectors) of sample n on the scratch
     * at {@code s[base]}: V of every input channel as elsewhere, then Mᵀ[ξ] (tile × channel) at
     * {@code s[mb]}, the output transform along the channels (with bias and activation) into
     * the channels-last outputs at {@code s[zb]}, and those gathered a channel at a time into Y
     * with the residual and the activation after it.
     */
    private void lanes(float[] x, int n, float[] y, float[] res, float[] s, int base, int o0, int o1) {
        if (o0 >= o1) return;
        final int vb = base + pFloats, mb = vb + vFloats, zb = mb + mFloats;
        if (fromInput == null) layout.fill(x, n * inputSize(), 0, ic, s, base, 0, layout.endRow(tilesH));
        for (int c0 = 0; c0 < ic; c0 += kc) {
            int c1 = Math.min(ic, c0 + kc);
            if (fromRows != null) {
                transformFromRows(x, n * inputSize(), c0, c1, s, vb);
            } else if (fromInput != null) {
                transformFromInput(x, n * inputSize(), c0, c1, s, vb, zb);
            } else {
                transformInputs(s, base, 0, c0, c1, vb, zb, false);
            }
            for (int xi = 0; xi < products; xi++) {
                for (int o = o0; o < o1; o += 2 * VL) {
                    for (int t = 0; t < VL; t += LANE_TILES) {
                        // eight tiles' V broadcast against two vectors of Uᵀ's channels
                        VectorGemmConv.tile8(s, vb + xi * vStep + t, NR, ut, (xi * ic + c0) * oc + o, oc, c1 - c0, s,
                                mb + (xi * VL + t) * oc + o, oc, c0 == 0);
                    }
                }
            }
        }
        final float[] bias = epilogue.bias();
        final int zw = 2 * tilesW;
        for (int t = 0; t < VL; t++) {
            int at = zb + 2 * ((t / tilesW) * zw + t % tilesW) * oc;
            for (int o = o0; o < o1; o += VL) transformOutputLanes(s, mb + t * oc + o, bias, o, s, at + o, zw * oc);
        }
        final int yBase = n * outputSize(), full = plane - plane % VL;
        for (int o = o0; o < o1; o++) {
            final int row = yBase + o * plane;
            for (int q = 0; q < full; q += VL) {
                FloatVector v = FloatVector.fromArray(S, s, zb + o, outputAt, q);
                if (residual) v = v.add(FloatVector.fromArray(S, res, row + q));
                if (reluAfter) v = ZERO.blend(sixAfter ? v.min(6f) : v, v.compare(VectorOperators.GT, 0f));
                v.intoArray(y, row + q);
            }
            if (full < plane) {
                VectorMask<Float> tail = S.indexInRange(full, plane);
                FloatVector v = FloatVector.fromArray(S, s, zb + o, outputAt, full, tail);
                if (residual) v = v.add(FloatVector.fromArray(S, res, row + full, tail));
                if (reluAfter) v = ZERO.blend(sixAfter ? v.min(6f) : v, v.compare(VectorOperators.GT, 0f));
                v.intoArray(y, row + full, tail);
            }
        }
    }

    /**
     * {@link #fromInput}: V for input channels [c0, c1) of sample x[xBase], into V's block at
     * {@code s[vb]}: each channel's plane read as four vectors, each window element's vector of
     * tiles picked from them by two two-vector shuffles ({@link InputWindows}) into
     * {@code s[wb]}, then transformed as gathered windows are. The CIFAR ResNet's 64 → 64
     * at 8×8, the whole call: 14.3 µs against 15.8–16.1 padding the input first and picking from
     * the padded copy on one thread, 9.8–10.2 against 11.3–11.7 on two.
     */
    private void transformFromInput(float[] x, int xBase, int c0, int c1, float[] s, int vb, int wb) {
        final int planeIn = shape.ih() * shape.iw();
        final InputWindows w = fromInput;
        final VectorMask<Float>[] parts = w.parts();
        for (int c = c0; c < c1; c++) {
            final int at = xBase + c * planeIn;
            FloatVector x0 = FloatVector.fromArray(S, x, at, parts[0]), x1 = FloatVector.fromArray(S, x, at + VL, parts[1]),
                    x2 = FloatVector.fromArray(S, x, at + 2 * VL, parts[2]), x3 = FloatVector.fromArray(S, x, at + 3 * VL, parts[3]);
            for (int e = 0; e < products; e++) {
                x0.rearrange(w.low()[e], x1).blend(x2.rearrange(w.high()[e], x3), w.highLanes()[e])
                        .blend(ZERO, w.padding()[e]).intoArray(s, wb + e * VL);
            }
            transformInput(s, wb, gatheredTaps, vb + (c - c0) * NR);
        }
    }

    /** The first halves of two vectors, side by side; and the second halves. */
    private static final VectorShuffle<Float> FIRST_HALVES = VectorShuffle.fromOp(S, l -> l < VL / 2 ? l : l + VL / 2),
            SECOND_HALVES = VectorShuffle.fromOp(S, l -> l < VL / 2 ? l + VL / 2 : l + VL);

    /**
     * {@link #fromRows}: V for input channels [c0, c1) of sample x[xBase] into V's block at
     * {@code s[vb]}, the rows transformed first: the even rows (0, 2, 4, 6) and the odd ones as
     * pairs of vectors, each window column j picked from a pair for every tile at once and
     * combined along the row; the window's rows are then an even or odd set, as is or one row of
     * tiles on (the padding row zero), combined down the columns. Twelve two-vector shuffles a
     * channel against {@link #transformFromInput}'s 32. The CIFAR ResNet's 64 → 64 at 8×8, the
     * whole call: 11.7–12.1 µs against 14.4–14.6 on one thread, 7.1–7.3 against 9.8–10.3 on two.
     */
    private void transformFromRows(float[] x, int xBase, int c0, int c1, float[] s, int vb) {
        final int step = vStep, tw = tilesW;
        final VectorShuffle<Float>[] picks = fromRows.columns();
        final VectorShuffle<Float> p0 = picks[0], p1 = picks[1], p2 = picks[2], p3 = picks[3];
        final VectorMask<Float> leftPadding = fromRows.left(), rightPadding = fromRows.right();
        for (int c = c0; c < c1; c++) {
            final int at = xBase + c * 8 * (VL / 2), to = vb + (c - c0) * NR;
            FloatVector x0 = FloatVector.fromArray(S, x, at), x1 = FloatVector.fromArray(S, x, at + VL),
                    x2 = FloatVector.fromArray(S, x, at + 2 * VL), x3 = FloatVector.fromArray(S, x, at + 3 * VL);
            FloatVector e0 = x0.rearrange(FIRST_HALVES, x1), e1 = x2.rearrange(FIRST_HALVES, x3);
            FloatVector o0 = x0.rearrange(SECOND_HALVES, x1), o1 = x2.rearrange(SECOND_HALVES, x3);
            // along the rows: h0 = d0 − d2, h1 = d1 + d2, h2 = d2 − d1, h3 = d1 − d3
            FloatVector a0 = e0.rearrange(p0, e1).blend(ZERO, leftPadding), a1 = e0.rearrange(p1, e1),
                    a2 = e0.rearrange(p2, e1), a3 = e0.rearrange(p3, e1).blend(ZERO, rightPadding);
            FloatVector he0 = a0.sub(a2), he1 = a1.add(a2), he2 = a2.sub(a1), he3 = a1.sub(a3);
            a0 = o0.rearrange(p0, o1).blend(ZERO, leftPadding);
            a1 = o0.rearrange(p1, o1);
            a2 = o0.rearrange(p2, o1);
            a3 = o0.rearrange(p3, o1).blend(ZERO, rightPadding);
            FloatVector ho0 = a0.sub(a2), ho1 = a1.add(a2), ho2 = a2.sub(a1), ho3 = a1.sub(a3);
            // the window's rows 2ty − 1 (odd, a row of tiles back), 2ty (even), 2ty + 1 (odd), 2ty + 2 (even, one on)
            FloatVector d00 = ZERO.slice(VL - tw, ho0), d01 = ZERO.slice(VL - tw, ho1), d02 = ZERO.slice(VL - tw, ho2),
                    d03 = ZERO.slice(VL - tw, ho3);
            FloatVector d30 = he0.slice(tw, ZERO), d31 = he1.slice(tw, ZERO), d32 = he2.slice(tw, ZERO), d33 = he3.slice(tw, ZERO);
            // down the columns, as transformInput
            d00.sub(ho0).intoArray(s, to);
            d01.sub(ho1).intoArray(s, to + step);
            d02.sub(ho2).intoArray(s, to + 2 * step);
            d03.sub(ho3).intoArray(s, to + 3 * step);
            he0.add(ho0).intoArray(s, to + 4 * step);
            he1.add(ho1).intoArray(s, to + 5 * step);
            he2.add(ho2).intoArray(s, to + 6 * step);
            he3.add(ho3).intoArray(s, to + 7 * step);
            ho0.sub(he0).intoArray(s, to + 8 * step);
            ho1.sub(he1).intoArray(s, to + 9 * step);
            ho2.sub(he2).intoArray(s, to + 10 * step);
            ho3.sub(he3).intoArray(s, to + 11 * step);
            he0.sub(d30).intoArray(s, to + 12 * step);
            he1.sub(d31).intoArray(s, to + 13 * step);
            he2.sub(d32).intoArray(s, to + 14 * step);
            he3.sub(d33).intoArray(s, to + 15 * step);
        }
    }

    /**
     * {@link #lanes}: Y = Aᵀ·M·A of one tile for a vector of output channels from o, Mᵀ[ξ] at
     * {@code p[from + ξ·VL·OC]}, plus the bias and through the activation; the tile's two rows of
     * two outputs to {@code dst[to]} and {@code dst[to + next]}, each output a run of channels.
     */
    private void transformOutputLanes(float[] p, int from, float[] bias, int o, float[] dst, int to, int next) {
        final int step = VL * oc;
        FloatVector m00 = FloatVector.fromArray(S, p, from), m01 = FloatVector.fromArray(S, p, from + step),
                m02 = FloatVector.fromArray(S, p, from + 2 * step), m03 = FloatVector.fromArray(S, p, from + 3 * step),
                m10 = FloatVector.fromArray(S, p, from + 4 * step), m11 = FloatVector.fromArray(S, p, from + 5 * step),
                m12 = FloatVector.fromArray(S, p, from + 6 * step), m13 = FloatVector.fromArray(S, p, from + 7 * step),
                m20 = FloatVector.fromArray(S, p, from + 8 * step), m21 = FloatVector.fromArray(S, p, from + 9 * step),
                m22 = FloatVector.fromArray(S, p, from + 10 * step), m23 = FloatVector.fromArray(S, p, from + 11 * step),
                m30 = FloatVector.fromArray(S, p, from + 12 * step), m31 = FloatVector.fromArray(S, p, from + 13 * step),
                m32 = FloatVector.fromArray(S, p, from + 14 * step), m33 = FloatVector.fromArray(S, p, from + 15 * step);
        FloatVector a0 = m00.add(m10).add(m20), a1 = m01.add(m11).add(m21), a2 = m02.add(m12).add(m22), a3 = m03.add(m13).add(m23);
        FloatVector b0 = m10.sub(m20).sub(m30), b1 = m11.sub(m21).sub(m31), b2 = m12.sub(m22).sub(m32), b3 = m13.sub(m23).sub(m33);
        FloatVector y00 = a0.add(a1).add(a2), y01 = a1.sub(a2).sub(a3);
        FloatVector y10 = b0.add(b1).add(b2), y11 = b1.sub(b2).sub(b3);
        if (bias != null) {
            FloatVector bv = FloatVector.fromArray(S, bias, o);
            y00 = y00.add(bv);
            y01 = y01.add(bv);
            y10 = y10.add(bv);
            y11 = y11.add(bv);
        }
        if (relu) {
            y00 = ZERO.blend(six ? y00.min(6f) : y00, y00.compare(VectorOperators.GT, 0f));
            y01 = ZERO.blend(six ? y01.min(6f) : y01, y01.compare(VectorOperators.GT, 0f));
            y10 = ZERO.blend(six ? y10.min(6f) : y10, y10.compare(VectorOperators.GT, 0f));
            y11 = ZERO.blend(six ? y11.min(6f) : y11, y11.compare(VectorOperators.GT, 0f));
        }
        y00.intoArray(dst, to);
        y01.intoArray(dst, to + oc);
        y10.intoArray(dst, to + next);
        y11.intoArray(dst, to + next + oc);
    }

    /**
     * Vector v of tiles (half of column panel v / 2) alone, against row panels [m0, m1): V of its
     * tiles, the products of two row panels at a time on that vector, and its outputs. A row
     * panel left over takes the full tile, the other vector's sums dropped.
     */
    private void vector(float[] s, int pBase, int v, int m0, int m1, int vb, int mb, int zb, float[] y, int yBase, float[] res) {
        final int q0 = v * VL, half = q0 % NR;
        for (int c0 = 0; c0 < ic; c0 += kc) {
            int c1 = Math.min(ic, c0 + kc);
            transformInputs(s, pBase, q0, c0, c1, vb, zb, false);
            for (int xi = 0; xi < products; xi++) {
                int mp = m0;
                for (; mp + 1 < m1; mp += 2) {
                    int ai = weightsAt(c0, c1, xi, mp), ci = mb + (xi * rows + mp * mr) * NR + half;
                    VectorGemmConv.tileHalf(mr, u, ai, ai + (c1 - c0) * mr, s, vb + xi * vStep + half, c1 - c0, s, ci, ci + mr * NR, NR,
                            c0 == 0);
                }
                if (mp < m1) {
                    int ai = weightsAt(c0, c1, xi, mp), ci = mb + (xi * rows + mp * mr) * NR;
                    VectorGemmConv.tile(mr, u, ai, s, vb + xi * vStep, c1 - c0, s, ci, NR, c0 == 0);
                }
            }
        }
        final int o0 = m0 * mr, o1 = Math.min(oc, m1 * mr);
        if (direct) {
            transformOutputs(s, half, q0, o0, o1, mb, y, yBase, res);
        } else {
            transformOutputs(s, half, o0, o1, mb, zb);
            store(s, zb + o0 * m * m * NR + m * half, o0, o1 - o0, q0, Math.min(VL, nExt - q0), y, yBase + o0 * plane, res);
        }
    }

    /**
     * Whether threads share one sample out by column panels (else by row panels): whichever gives
     * the busiest thread less work. A thread of a row split fills and transforms the input of
     * every column panel, which a column split shares out: counted in products of one channel
     * pair over one panel for all a² ξ, the input side of a panel costs about {@link #INPUT_SIDE}
     * per input channel, and the output side (transform and store) about {@link #OUTPUT_SIDE}
     * per output row. Counting panels alone, 16 → 16 channels at 32×32 (17 column panels, 4 row
     * panels) went by rows, each of two threads then filling and transforming all of the input:
     * 48 µs a thread against 75 for the whole call on one.
     */
    boolean splitsColumns(int threads) {
        final long input = (long) INPUT_SIDE * ic, row = ic + OUTPUT_SIDE;
        // a vector costs half a panel
        long byColumns = (long) Math.ceilDiv(units, threads) * (input + rows * row) * perUnit / 2;
        long byRows = nPanels * (input + (long) Math.ceilDiv(mPanels, threads) * mr * row);
        return byColumns <= byRows;
    }

    /**
     * Vectors of tiles [v0, v1) against row panels [m0, m1) of sample n on the scratch at
     * {@code s[base]}; fills the rows of P they read first. Whole column panels where the run
     * holds them; a vector at either end alone, on the half tile where the tiles have one (else
     * the last panel, whatever it holds, as a whole: runs of other heights start and end with
     * panels).
     */
    private void work(int v0, int v1, int m0, int m1, float[] x, int n, float[] y, float[] res, float[] s, int base) {
        if (v0 >= v1 || m0 >= m1) return;
        final int vb = base + pFloats, mb = vb + vFloats, zb = mb + mFloats, yBase = n * outputSize();
        final int q0 = v0 * VL, q1 = Math.min(v1 * VL, nExt);
        layout.fill(x, n * inputSize(), 0, ic, s, base, q0 / wq, layout.endRow((q1 - 1) / wq + 1));
        int v = v0;
        if (v % 2 == 1) vector(s, base, v++, m0, m1, vb, mb, zb, y, yBase, res);
        for (; v + 1 < v1 || v < v1 && !halfTile; v += 2) panel(s, base, v / 2, m0, m1, vb, mb, zb, y, yBase, res);
        if (v < v1) vector(s, base, v, m0, m1, vb, mb, zb, y, yBase, res);
    }

    /** Column panel j, row panels [m0, m1): V for each block of channels, the a² products into M, then the output transform. */
    private void panel(float[] s, int pBase, int j, int m0, int m1, int vb, int mb, int zb, float[] y, int yBase, float[] res) {
        final int q0 = j * NR;
        for (int c0 = 0; c0 < ic; c0 += kc) {
            int c1 = Math.min(ic, c0 + kc);
            transformInputs(s, pBase, q0, c0, c1, vb, zb, true);
            for (int xi = 0; xi < products; xi++) {
                for (int mp = m0; mp < m1; mp++) {
                    int ai = weightsAt(c0, c1, xi, mp), ci = mb + (xi * rows + mp * mr) * NR;
                    VectorGemmConv.tile(mr, u, ai, s, vb + xi * vStep, c1 - c0, s, ci, NR, c0 == 0);
                }
            }
        }
        final int o0 = m0 * mr, o1 = Math.min(oc, m1 * mr);
        if (direct) {
            transformOutputs(s, 0, q0, o0, o1, mb, y, yBase, res);
            if (q0 + VL < nExt) transformOutputs(s, VL, q0 + VL, o0, o1, mb, y, yBase, res);
        } else {
            transformOutputs(s, 0, o0, o1, mb, zb);
            transformOutputs(s, VL, o0, o1, mb, zb);
            store(s, zb + o0 * m * m * NR, o0, o1 - o0, q0, Math.min(NR, nExt - q0), y, yBase + o0 * plane, res);
        }
    }

    /**
     * V for input channels [c0, c1) of the vector of tiles from q (and the next, if {@code both}),
     * from P at {@code p[pBase]} to V's block at {@code p[vb]}; with the compact numbering, each
     * vector's windows gathered first at {@code p[wb]}.
     */
    private void transformInputs(float[] p, int pBase, int q, int c0, int c1, int vb, int wb, boolean both) {
        final int first = column(q), second = column(q + VL), shift = q % tilesW, shift2 = (q + VL) % tilesW;
        // whether each vector's tiles span rows of tiles, and so are gathered first
        final boolean spans = compact && shift + VL > tilesW, spans2 = compact && shift2 + VL > tilesW;
        for (int c = c0; c < c1; c++) {
            int from = pBase + c * channelStride, to = vb + (c - c0) * NR + q % NR;
            transformVector(p, from + first, shift, spans, wb, to);
            if (both) transformVector(p, from + second, shift2, spans2, wb, to + VL);
        }
    }

    /**
     * V of one vector of tiles of one channel whose first window element is at {@code p[at]}:
     * where its tiles span rows of tiles, from their windows gathered at {@code p[wb]}.
     */
    private void transformVector(float[] p, int at, int shift, boolean spans, int wb, int to) {
        int[] tap = taps;
        if (spans) {
            gatherWindows(p, at, shift, wb);
            at = wb;
            tap = gatheredTaps;
        }
        if (m == 2) {
            transformInput(p, at, tap, to);
        } else {
            transformInput4(p, at, tap, to);
        }
    }

    /**
     * The a² window elements of a vector of tiles numbered compactly, the first tile's at {@code
     * p[from + taps[k]]} and in column {@code shift} of its row of tiles, to {@code p[to + k·VL]}:
     * the lanes of each next row of tiles lie one column further on in P, and one shuffle picks
     * them all from two vectors: 64 channels of 8×8 on AVX-512 (16 tiles, one vector over four
     * rows of tiles), one thread, 19.7 µs a call against 24.4 loading and blending each row.
     */
    private void gatherWindows(float[] p, int from, int shift, int to) {
        final VectorShuffle<Float> pick = windowShuffles[shift];
        for (int k = 0; k < products; k++) {
            int at = from + taps[k];
            FloatVector.fromArray(S, p, at).rearrange(pick, FloatVector.fromArray(S, p, at + VL)).intoArray(p, to + k * VL);
        }
    }

    /**
     * The output transform of output channels [o0, o1) for the vector of tiles at {@code v} (0 or
     * VL) within the column panel: M at {@code p[mb]}, the outputs to Z at {@code p[zb]}.
     */
    private void transformOutputs(float[] p, int v, int o0, int o1, int mb, int zb) {
        final int perChannel = m * m * NR;
        for (int o = o0; o < o1; o++) {
            int from = mb + o * NR + v, to = zb + o * perChannel + m * v;
            if (m == 2) {
                transformOutput(p, from, to);
            } else {
                transformOutput4(p, from, to, zb + oc * perChannel);
            }
        }
    }

    /**
     * {@link #direct}: the outputs of output channels [o0, o1) for the vector of tiles q (at
     * {@code v}, 0 or VL, within the column panel), M at {@code p[mb]}, through the epilogue into
     * sample y's channels at {@code y[yBase]}.
     */
    private void transformOutputs(float[] p, int v, int q, int o0, int o1, int mb, float[] y, int yBase, float[] res) {
        final int ow = shape.ow(), at = yBase + 2 * (q / tilesW) * ow + 2 * (q % tilesW);
        final float[] bias = epilogue.bias();
        for (int o = o0; o < o1; o++) {
            transformOutput(p, mb + o * NR + v, y, at + o * plane, secondHalf, ow, true, bias == null ? 0f : bias[o], res);
        }
    }

    /**
     * The extended column of tile q (the column of P its window starts at, less the taps): q
     * itself in the extended numbering; in the compact one, q's row of tiles then lies one
     * column further on per row before it.
     */
    private int column(int q) {
        return compact ? PaddedLayout.extendedColumn(q, tilesW, layout.wq) : q;
    }

    /**
     * V = Bᵀ·d·B for one vector of tiles of one channel: window element (i, j) at
     * {@code p[from + tap[i·4 + j]]}; V[ξ] goes to {@code p[to + ξ·vStep]}. Down
     * each column j the rows combine as t0 = d0 − d2, t1 = d1 + d2, t2 = d2 − d1, t3 = d1 − d3;
     * along each row of t the columns combine the same way.
     */
    private void transformInput(float[] p, int from, int[] tap, int to) {
        final int step = vStep;
        FloatVector d00 = FloatVector.fromArray(S, p, from + tap[0]), d01 = FloatVector.fromArray(S, p, from + tap[1]),
                d02 = FloatVector.fromArray(S, p, from + tap[2]), d03 = FloatVector.fromArray(S, p, from + tap[3]),
                d10 = FloatVector.fromArray(S, p, from + tap[4]), d11 = FloatVector.fromArray(S, p, from + tap[5]),
                d12 = FloatVector.fromArray(S, p, from + tap[6]), d13 = FloatVector.fromArray(S, p, from + tap[7]),
                d20 = FloatVector.fromArray(S, p, from + tap[8]), d21 = FloatVector.fromArray(S, p, from + tap[9]),
                d22 = FloatVector.fromArray(S, p, from + tap[10]), d23 = FloatVector.fromArray(S, p, from + tap[11]),
                d30 = FloatVector.fromArray(S, p, from + tap[12]), d31 = FloatVector.fromArray(S, p, from + tap[13]),
                d32 = FloatVector.fromArray(S, p, from + tap[14]), d33 = FloatVector.fromArray(S, p, from + tap[15]);
        FloatVector t0 = d00.sub(d20), t1 = d01.sub(d21), t2 = d02.sub(d22), t3 = d03.sub(d23);
        t0.sub(t2).intoArray(p, to);
        t1.add(t2).intoArray(p, to + step);
        t2.sub(t1).intoArray(p, to + 2 * step);
        t1.sub(t3).intoArray(p, to + 3 * step);
        t0 = d10.add(d20);
        t1 = d11.add(d21);
        t2 = d12.add(d22);
        t3 = d13.add(d23);
        t0.sub(t2).intoArray(p, to + 4 * step);
        t1.add(t2).intoArray(p, to + 5 * step);
        t2.sub(t1).intoArray(p, to + 6 * step);
        t1.sub(t3).intoArray(p, to + 7 * step);
        t0 = d20.sub(d10);
        t1 = d21.sub(d11);
        t2 = d22.sub(d12);
        t3 = d23.sub(d13);
        t0.sub(t2).intoArray(p, to + 8 * step);
        t1.add(t2).intoArray(p, to + 9 * step);
        t2.sub(t1).intoArray(p, to + 10 * step);
        t1.sub(t3).intoArray(p, to + 11 * step);
        t0 = d10.sub(d30);
        t1 = d11.sub(d31);
        t2 = d12.sub(d32);
        t3 = d13.sub(d33);
        t0.sub(t2).intoArray(p, to + 12 * step);
        t1.add(t2).intoArray(p, to + 13 * step);
        t2.sub(t1).intoArray(p, to + 14 * step);
        t1.sub(t3).intoArray(p, to + 15 * step);
    }

    /**
     * Y = Aᵀ·M·A for one vector of tiles of one output channel, M[ξ] at {@code p[from + ξ·rows·NR]}:
     * down each column r0 = m0 + m1 + m2, r1 = m1 − m2 − m3, then along each row the same. The
     * two output rows go to {@code p[to]} and {@code p[to + 2·NR]}, each tile's two outputs side by
     * side.
     */
    private void transformOutput(float[] p, int from, int to) {
        transformOutput(p, from, p, to, VL, 2 * NR, false, 0f, null);
    }

    /**
     * The output transform, its rows {@code next} apart in dst and the outputs of the vector's
     * second half of tiles {@code second} past its first's, through the epilogue where {@code finish}.
     */
    private void transformOutput(float[] p, int from, float[] dst, int to, int second, int next, boolean finish, float b,
                                 float[] res) {
        final int step = rows * NR;
        FloatVector m00 = FloatVector.fromArray(S, p, from), m01 = FloatVector.fromArray(S, p, from + step),
                m02 = FloatVector.fromArray(S, p, from + 2 * step), m03 = FloatVector.fromArray(S, p, from + 3 * step),
                m10 = FloatVector.fromArray(S, p, from + 4 * step), m11 = FloatVector.fromArray(S, p, from + 5 * step),
                m12 = FloatVector.fromArray(S, p, from + 6 * step), m13 = FloatVector.fromArray(S, p, from + 7 * step),
                m20 = FloatVector.fromArray(S, p, from + 8 * step), m21 = FloatVector.fromArray(S, p, from + 9 * step),
                m22 = FloatVector.fromArray(S, p, from + 10 * step), m23 = FloatVector.fromArray(S, p, from + 11 * step),
                m30 = FloatVector.fromArray(S, p, from + 12 * step), m31 = FloatVector.fromArray(S, p, from + 13 * step),
                m32 = FloatVector.fromArray(S, p, from + 14 * step), m33 = FloatVector.fromArray(S, p, from + 15 * step);
        FloatVector a0 = m00.add(m10).add(m20), a1 = m01.add(m11).add(m21), a2 = m02.add(m12).add(m22), a3 = m03.add(m13).add(m23);
        FloatVector b0 = m10.sub(m20).sub(m30), b1 = m11.sub(m21).sub(m31), b2 = m12.sub(m22).sub(m32), b3 = m13.sub(m23).sub(m33);
        FloatVector y00 = a0.add(a1).add(a2), y01 = a1.sub(a2).sub(a3);
        FloatVector y10 = b0.add(b1).add(b2), y11 = b1.sub(b2).sub(b3);
        FloatVector r0 = y00.rearrange(ZIP_LO, y01), r1 = y00.rearrange(ZIP_HI, y01);
        FloatVector r2 = y10.rearrange(ZIP_LO, y11), r3 = y10.rearrange(ZIP_HI, y11);
        if (finish) {
            // written out rather than through a helper, which C2 would not inline here (and would
            // then box every vector passed to it)
            r0 = r0.add(b);
            r1 = r1.add(b);
            r2 = r2.add(b);
            r3 = r3.add(b);
            if (relu) {
                r0 = ZERO.blend(six ? r0.min(6f) : r0, r0.compare(VectorOperators.GT, 0f));
                r1 = ZERO.blend(six ? r1.min(6f) : r1, r1.compare(VectorOperators.GT, 0f));
                r2 = ZERO.blend(six ? r2.min(6f) : r2, r2.compare(VectorOperators.GT, 0f));
                r3 = ZERO.blend(six ? r3.min(6f) : r3, r3.compare(VectorOperators.GT, 0f));
            }
            if (residual) {
                // read before the outputs are stored, as it may lie in their place
                r0 = r0.add(FloatVector.fromArray(S, res, to));
                r1 = r1.add(FloatVector.fromArray(S, res, to + second));
                r2 = r2.add(FloatVector.fromArray(S, res, to + next));
                r3 = r3.add(FloatVector.fromArray(S, res, to + next + second));
            }
            if (reluAfter) {
                r0 = ZERO.blend(sixAfter ? r0.min(6f) : r0, r0.compare(VectorOperators.GT, 0f));
                r1 = ZERO.blend(sixAfter ? r1.min(6f) : r1, r1.compare(VectorOperators.GT, 0f));
                r2 = ZERO.blend(sixAfter ? r2.min(6f) : r2, r2.compare(VectorOperators.GT, 0f));
                r3 = ZERO.blend(sixAfter ? r3.min(6f) : r3, r3.compare(VectorOperators.GT, 0f));
            }
        }
        r0.intoArray(dst, to);
        r1.intoArray(dst, to + second);
        r2.intoArray(dst, to + next);
        r3.intoArray(dst, to + next + second);
    }

    /**
     * V = Bᵀ·d·B of F(4×4, 3×3) for one vector of tiles of one channel: window element (i, j) at
     * {@code p[from + tap(i, j)]}; V[ξ] goes to {@code p[to + ξ·vStep]}. The 36 elements do not
     * fit the registers: down each column j the rows combine into V's row-major slots (i, j), then
     * each row of those combines the same way in place.
     */
    private void transformInput4(float[] p, int from, int[] tap, int to) {
        final int step = vStep;
        for (int j = 0; j < 6; j++) {
            inputColumn(p, from + tap[j], from + tap[6 + j], from + tap[12 + j], from + tap[18 + j], from + tap[24 + j],
                    from + tap[30 + j], to + j * step, 6 * step);
        }
        for (int i = 0; i < 6; i++) {
            int row = to + 6 * i * step;
            inputColumn(p, row, row + step, row + 2 * step, row + 3 * step, row + 4 * step, row + 5 * step, row, step);
        }
    }

    /**
     * Bᵀ·d for one column of F(4×4, 3×3)'s window, d0…d5 at {@code p[i0]}…{@code p[i5]}, the six
     * results at {@code p[to + k·stride]} (the loads come first: {@code to} may be {@code i0}).
     * Bᵀ's rows are (1, −3/2, −2, 3/2, 1, 0), (0, −1, 1/2, 5/2, 1, 0), (0, 1, −5/2, 1/2, 1, 0),
     * (0, −2, −1, 2, 1, 0), (0, 1/2, −1, −1/2, 1, 0), (0, 1, −3/2, −2, 3/2, 1). Offsets, not
     * vectors, cross the call: C2 does not always inline it, and vectors passed to a call it has
     * not inlined are boxed.
     */
    private static void inputColumn(float[] p, int i0, int i1, int i2, int i3, int i4, int i5, int to, int stride) {
        FloatVector d0 = FloatVector.fromArray(S, p, i0), d1 = FloatVector.fromArray(S, p, i1),
                d2 = FloatVector.fromArray(S, p, i2), d3 = FloatVector.fromArray(S, p, i3),
                d4 = FloatVector.fromArray(S, p, i4), d5 = FloatVector.fromArray(S, p, i5);
        FloatVector d42 = d4.sub(d2), d31 = d3.sub(d1);
        d0.add(d4).sub(d2.mul(2f)).add(d31.mul(1.5f)).intoArray(p, to);
        d4.sub(d1).add(d2.mul(0.5f)).add(d3.mul(2.5f)).intoArray(p, to + stride);
        d4.add(d1).sub(d2.mul(2.5f)).add(d3.mul(0.5f)).intoArray(p, to + 2 * stride);
        d42.add(d31.mul(2f)).intoArray(p, to + 3 * stride);
        d42.sub(d31.mul(0.5f)).intoArray(p, to + 4 * stride);
        d1.add(d5).sub(d3.mul(2f)).add(d42.mul(1.5f)).intoArray(p, to + 5 * stride);
    }

    /**
     * Y = Aᵀ·M·A of F(4×4, 3×3) for one vector of tiles of one output channel, M[ξ] at
     * {@code p[from + ξ·rows·NR]}: down each column the rows combine into Aᵀ·M (4 × 6, at
     * {@code p[t]}), then along each row of that. Aᵀ's rows are (1, 1, 1, 1, 1, 0),
     * (0, 1, −1, 1/2, −2, 0), (0, 1, 1, 1/4, 4, 0), (0, 1, −1, 1/8, −8, 1). Output row r goes to
     * {@code p[to + r·4·NR]}, each tile's four outputs side by side.
     */
    private void transformOutput4(float[] p, int from, int to, int t) {
        final int step = rows * NR;
        for (int j = 0; j < 6; j++) {
            int col = from + j * step;
            FloatVector m0 = FloatVector.fromArray(S, p, col), m1 = FloatVector.fromArray(S, p, col + 6 * step),
                    m2 = FloatVector.fromArray(S, p, col + 12 * step), m3 = FloatVector.fromArray(S, p, col + 18 * step),
                    m4 = FloatVector.fromArray(S, p, col + 24 * step), m5 = FloatVector.fromArray(S, p, col + 30 * step);
            FloatVector s12 = m1.add(m2), d12 = m1.sub(m2);
            m0.add(s12).add(m3).add(m4).intoArray(p, t + j * VL);
            d12.add(m3.mul(0.5f)).sub(m4.mul(2f)).intoArray(p, t + (6 + j) * VL);
            s12.add(m3.mul(0.25f)).add(m4.mul(4f)).intoArray(p, t + (12 + j) * VL);
            d12.add(m3.mul(0.125f)).sub(m4.mul(8f)).add(m5).intoArray(p, t + (18 + j) * VL);
        }
        for (int r = 0; r < 4; r++) {
            int row = t + 6 * r * VL;
            FloatVector m0 = FloatVector.fromArray(S, p, row), m1 = FloatVector.fromArray(S, p, row + VL),
                    m2 = FloatVector.fromArray(S, p, row + 2 * VL), m3 = FloatVector.fromArray(S, p, row + 3 * VL),
                    m4 = FloatVector.fromArray(S, p, row + 4 * VL), m5 = FloatVector.fromArray(S, p, row + 5 * VL);
            FloatVector s12 = m1.add(m2), d12 = m1.sub(m2);
            FloatVector y0 = m0.add(s12).add(m3).add(m4), y1 = d12.add(m3.mul(0.5f)).sub(m4.mul(2f)),
                    y2 = s12.add(m3.mul(0.25f)).add(m4.mul(4f)), y3 = d12.add(m3.mul(0.125f)).sub(m4.mul(8f)).add(m5);
            // two rounds of zips: (y0, y2) and (y1, y3) pair the even and odd outputs of each
            // tile, and zipping those pairs puts each tile's four side by side
            FloatVector e = y0.rearrange(ZIP_LO, y2), o = y1.rearrange(ZIP_LO, y3);
            int out = to + r * 4 * NR;
            e.rearrange(ZIP_LO, o).intoArray(p, out);
            e.rearrange(ZIP_HI, o).intoArray(p, out + VL);
            e = y0.rearrange(ZIP_HI, y2);
            o = y1.rearrange(ZIP_HI, y3);
            e.rearrange(ZIP_LO, o).intoArray(p, out + 2 * VL);
            e.rearrange(ZIP_HI, o).intoArray(p, out + 3 * VL);
        }
    }

    /**
     * Stores output channels [c0, c0 + channels) of tiles [q0, q0 + cols) from {@code z[zb]} (per
     * channel m²·NR floats: the tiles' first output row, then each next) through the epilogue,
     * channel c0 at {@code y[yc]}: each run of tiles in one tile row is m runs of outputs; the
     * extended tile at the end of each row is dropped, and so are the outputs of the tiles that
     * fall outside the output.
     */
    private void store(float[] z, int zb, int c0, int channels, int q0, int cols, float[] y, int yc, float[] res) {
        final int oh = shape.oh(), ow = shape.ow(), rowFloats = m * NR;
        int q = q0, end = q0 + cols, ty = q0 / wq, tx = q0 - ty * wq;
        while (q < end) {
            if (tx < tilesW) {
                int len = Math.min(tilesW - tx, end - q), width = Math.min(m * len, ow - m * tx);
                for (int r = 0; r < m && m * ty + r < oh; r++) {
                    VectorOps.epilogue(z, zb + r * rowFloats + m * (q - q0), m * rowFloats, y, yc + (m * ty + r) * ow + m * tx,
                            plane, channels, width, c0, epilogue, res);
                }
                q += len;
                tx += len;
            }
            q += wq - tx;
            ty++;
            tx = 0;
        }
    }
}
