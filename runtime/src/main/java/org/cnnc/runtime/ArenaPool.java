package org.cnnc.runtime;

import java.util.concurrent.ConcurrentLinkedDeque;

/** Arenas for concurrent calls: each call takes one (making it if none is free) and gives it back. */
public final class ArenaPool {
    private final int[] perSampleSizes;
    private final ConcurrentLinkedDeque<Arena> free = new ConcurrentLinkedDeque<>();

    public ArenaPool(int[] perSampleSizes) {
        this.perSampleSizes = perSampleSizes.clone();
    }

    public Arena take(int batch) {
        Arena a = free.pollFirst();
        if (a == null) a = new Arena(perSampleSizes);
        a.ensure(batch);
        return a;
    }

    public void give(Arena arena) {
        free.offerFirst(arena);
    }
}
