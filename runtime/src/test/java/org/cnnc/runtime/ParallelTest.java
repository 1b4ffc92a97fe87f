package org.cnnc.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ParallelTest {
    @Test
    void coversEveryIndexExactlyOnceForEveryThreadCount() {
        for (int threads = 1; threads <= 4; threads++) {
            try (Parallel p = new Parallel(threads)) {
                for (int n : new int[] {0, 1, 2, 3, 7, 100, 1001}) {
                    int[] hits = new int[n];
                    p.forRange(n, (from, to) -> {
                        for (int i = from; i < to; i++) hits[i]++;
                    });
                    int[] once = new int[n];
                    java.util.Arrays.fill(once, 1);
                    assertArrayEquals(once, hits, threads + " threads, n = " + n);
                }
            }
        }
    }

    @Test
    void splitsIntoContiguousChunksOnSeveralThreads() {
        try (Parallel p = new Parallel(3)) {
            for (int round = 0; round < 200; round++) {
                List<int[]> chunks = java.util.Collections.synchronizedList(new ArrayList<>());
                ConcurrentHashMap<Thread, Boolean> threads = new ConcurrentHashMap<>();
                p.forRange(9, (from, to) -> {
                    chunks.add(new int[] {from, to});
                    threads.put(Thread.currentThread(), true);
                });
                chunks.sort((a, b) -> Integer.compare(a[0], b[0]));
                assertEquals(3, chunks.size());
                assertArrayEquals(new int[] {0, 3}, chunks.get(0));
                assertArrayEquals(new int[] {3, 6}, chunks.get(1));
                assertArrayEquals(new int[] {6, 9}, chunks.get(2));
                assertEquals(3, threads.size(), "each chunk on its own thread");
            }
        }
    }

    @Test
    void rethrowsWhatAWorkerThrowsAndStaysUsable() {
        try (Parallel p = new Parallel(2)) {
            IllegalStateException boom = new IllegalStateException("boom");
            IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> p.forRange(2, (from, to) -> {
                if (from == 1) throw boom;
            }));
            assertSame(boom, thrown);
            AtomicInteger sum = new AtomicInteger();
            p.forRange(10, (from, to) -> sum.addAndGet(to - from));
            assertEquals(10, sum.get());
        }
    }

    @Test
    void wakesWorkersThatParkedWhileIdle() throws InterruptedException {
        try (Parallel p = new Parallel(2)) {
            for (int round = 0; round < 3; round++) {
                Thread.sleep(Parallel.SPIN_NANOS / 1_000_000 + 20);
                AtomicInteger sum = new AtomicInteger();
                p.forRange(1000, (from, to) -> sum.addAndGet(to - from));
                assertEquals(1000, sum.get());
            }
        }
    }

    @Test
    void smallWorkLeavesParkedWorkersAloneUntilEnoughOfItHasRun() throws InterruptedException {
        try (Parallel p = new Parallel(2)) {
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!p.anyParked()) {
                assertTrue(System.nanoTime() < deadline, "the idle worker never parked");
                Thread.sleep(1);
            }
            int wakes = p.wakes();
            for (int i = 0; i < Parallel.WAKE_AFTER - 1; i++) assertTrue(p.parkedForSmallWork(), "call " + i);
            Thread.sleep(20);
            assertEquals(wakes, p.wakes(), "a small call woke the worker before its turn");
            assertTrue(p.parkedForSmallWork());
            while (p.wakes() == wakes) {
                assertTrue(System.nanoTime() < deadline, "the worker was not woken");
                Thread.sleep(1);
            }
        }
    }

    @Test
    void concurrentCallersEachCompleteTheirWholeRange() throws InterruptedException {
        try (Parallel p = new Parallel(2)) {
            int callers = 4, rounds = 300;
            CountDownLatch start = new CountDownLatch(1);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            List<Thread> threads = new ArrayList<>();
            for (int c = 0; c < callers; c++) {
                Thread t = new Thread(() -> {
                    try {
                        start.await();
                        for (int r = 0; r < rounds; r++) {
                            long[] sum = new long[1];
                            p.forRange(64, (from, to) -> {
                                long s = 0;
                                for (int i = from; i < to; i++) s += i;
                                synchronized (sum) {
                                    sum[0] += s;
                                }
                            });
                            if (sum[0] != 64 * 63 / 2) throw new AssertionError("sum " + sum[0]);
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                });
                threads.add(t);
                t.start();
            }
            start.countDown();
            for (Thread t : threads) t.join(60_000);
            assertEquals(null, failure.get());
        }
    }

    @Test
    void nestedLoopRunsOnTheCallingThread() {
        try (Parallel p = new Parallel(2)) {
            AtomicInteger inner = new AtomicInteger();
            p.forRange(2, (from, to) -> p.forRange(5, (a, b) -> inner.addAndGet(b - a)));
            assertEquals(10, inner.get());
        }
    }

    @Test
    void rejectsZeroThreads() {
        assertThrows(IllegalArgumentException.class, () -> new Parallel(0));
        assertTrue(Parallel.defaultThreads() >= 1);
    }
}
