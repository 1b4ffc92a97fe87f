package org.cnnc.runtime;

import java.util.ArrayDeque;

/**
 * Arenas for concurrent calls: each call takes one (making it if none is free) and gives it back.
 * A deque under a lock rather than a concurrent list, whose every insertion allocates a node.
 */
public final class ArenaPool {
    private final int[] perSampleSizes;
    private final int scratchFloats;
    private final ArrayDeque<Arena> free = new ArrayDeque<>();

    public ArenaPool(int[] perSampleSizes, long scratchFloats) {
        if (scratchFloats > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("scratch too large: " + scratchFloats);
        this.perSampleSizes = perSampleSizes.clone();
        this.scratchFloats = (int) scratchFloats;
    }

    public ArenaPool(int[] perSampleSizes) {
        this(perSampleSizes, 0);
    }

    public Arena take(int batch) {
        Arena a;
        synchronized (free) {
            a = free.pollFirst();
        }
        if (a == null) a = new Arena(perSampleSizes, scratchFloats);
        a.ensure(batch);
        return a;
    }

    public void give(Arena arena) {
        synchronized (free) {
            free.offerFirst(arena);
        }
    }
}
