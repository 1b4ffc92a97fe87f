package org.cnnc.runtime;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * A parallel for-loop over a fixed set of daemon worker threads, made once per model: no thread
 * is created and nothing is allocated per call. The calling thread takes part, so
 * {@code threads} counts it.
 *
 * <p>A network is a chain of short parallel loops (a few microseconds to a few milliseconds
 * each), so the hand-off must be cheap: each worker waits for its next range by spinning on a
 * volatile sequence number, and parks only after it has been idle for {@link #SPIN_NANOS}.
 * Waking a parked thread costs tens of microseconds on a virtual machine (an inter-processor
 * interrupt through the hypervisor), which a network of fifty kernels would pay fifty times,
 * and which a kernel of a few microseconds should not wait for ({@link #parkedForSmallWork}).
 *
 * <p>One loop runs at a time: a call made while another thread's loop holds the workers (two
 * threads sharing one model) runs its whole range on its own thread, as does a loop started
 * from inside a loop body.
 *
 * <p>Kernels pass a {@link Task} with its arguments rather than a {@link Range} lambda: a lambda
 * that captures the call's arrays is a new object on every call, while a task made once (a
 * field) and its arguments handed over in this object's fields allocate nothing.
 */
public final class Parallel implements AutoCloseable {
    /** A range body: handles indices {@code [from, to)}. */
    @FunctionalInterface
    public interface Range {
        void run(int from, int to);
    }

    /**
     * A loop body that takes its arguments (up to four arrays and two integers) as parameters,
     * so that one instance, made once, serves every call.
     */
    @FunctionalInterface
    public interface Task {
        void run(float[] a, float[] b, float[] c, float[] d, int i, int j, int from, int to);
    }

    /**
     * Work (in rough multiply-accumulates) below which {@link #forRange(int, long, Task, float[],
     * float[], float[], float[], int, int)} runs on the calling thread: about ten microseconds of
     * scalar loop, several times what a hand-off costs.
     */
    public static final long SERIAL_WORK = 1L << 15;

    /** How long an idle worker spins before it parks. */
    static final long SPIN_NANOS = 200_000;

    /** Small calls run alone while workers are parked before one of them wakes them. */
    static final int WAKE_AFTER = 64;

    private final int threads;
    private final Worker[] workers;
    private final AtomicBoolean busy = new AtomicBoolean();
    /** Small calls run alone since the workers were last woken (racy between callers: a count, not a lock). */
    private int skippedWhileParked;
    private volatile boolean closed;

    public Parallel(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be at least 1, not " + threads);
        this.threads = threads;
        workers = new Worker[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker();
            Thread t = new Thread(workers[i], "cnnc-worker-" + (i + 1));
            t.setDaemon(true);
            workers[i].thread = t;
            t.start();
        }
    }

    /** The thread count from {@code -Dcnnc.threads}, else the available processors. */
    public static int defaultThreads() {
        String p = System.getProperty("cnnc.threads");
        if (p != null) {
            try {
                int n = Integer.parseInt(p.strip());
                if (n >= 1) return n;
            } catch (NumberFormatException ignored) {
                // fall through to the processor count
            }
        }
        return Runtime.getRuntime().availableProcessors();
    }

    public int threads() {
        return threads;
    }

    /** Runs {@code body} over {@code [0, n)} split into at most {@link #threads()} contiguous chunks. */
    public void forRange(int n, Range body) {
        forRange(n, (a, b, c, d, i, j, from, to) -> body.run(from, to), null, null, null, null, 0, 0);
    }

    /**
     * Runs {@code task} with the arguments given over {@code [0, n)}, on the calling thread alone
     * when {@code work} is below {@link #SERIAL_WORK}, else as {@link #forRange(int, Task, float[],
     * float[], float[], float[], int, int)}.
     */
    public void forRange(int n, long work, Task task, float[] a, float[] b, float[] c, float[] d, int i, int j) {
        if (work < SERIAL_WORK) {
            if (n > 0) task.run(a, b, c, d, i, j, 0, n);
        } else {
            forRange(n, task, a, b, c, d, i, j);
        }
    }

    /** Runs {@code task} with the arguments given over {@code [0, n)}, split into at most {@link #threads()} contiguous chunks. */
    public void forRange(int n, Task task, float[] a, float[] b, float[] c, float[] d, int i, int j) {
        int chunks = Math.min(threads, n);
        if (chunks <= 1 || closed || !busy.compareAndSet(false, true)) {
            if (n > 0) task.run(a, b, c, d, i, j, 0, n);
            return;
        }
        try {
            for (int k = 1; k < chunks; k++) {
                workers[k - 1].start(task, a, b, c, d, i, j, (int) ((long) n * k / chunks), (int) ((long) n * (k + 1) / chunks));
            }
            Throwable failure = null;
            try {
                task.run(a, b, c, d, i, j, 0, (int) ((long) n / chunks));
            } catch (Throwable t) {
                failure = t;
            }
            for (int k = 1; k < chunks; k++) {
                Throwable t = workers[k - 1].await();
                if (failure == null) failure = t;
            }
            if (failure instanceof RuntimeException re) throw re;
            if (failure instanceof Error err) throw err;
            if (failure != null) throw new IllegalStateException(failure);
        } finally {
            busy.set(false);
        }
    }

    /**
     * Whether a worker has parked, for a call with little work, which then runs on the calling
     * thread alone: waking a worker costs the caller tens of microseconds, more than such a call
     * gains from it. Every {@link #WAKE_AFTER} such calls the parked workers are woken all the
     * same, so that a burst of calls brings them back, while calls a millisecond apart seldom
     * pay for a wake.
     */
    public boolean parkedForSmallWork() {
        boolean any = anyParked();
        if (any && ++skippedWhileParked >= WAKE_AFTER) {
            skippedWhileParked = 0;
            for (Worker w : workers) LockSupport.unpark(w.thread);
        }
        return any;
    }

    boolean anyParked() {
        for (Worker w : workers) {
            if (w.parked) return true;
        }
        return false;
    }

    /** How many times the workers have come back from parking. */
    int wakes() {
        int n = 0;
        for (Worker w : workers) n += w.wakes;
        return n;
    }

    @Override
    public void close() {
        closed = true;
        for (Worker w : workers) LockSupport.unpark(w.thread);
    }

    /** One worker thread: runs the range it is given each time {@code posted} moves past {@code done}. */
    private final class Worker implements Runnable {
        Thread thread;
        private Task task;
        private float[] a, b, c, d;
        private int i, j, from, to;
        private Throwable failure;
        private volatile int posted, done;
        private volatile boolean parked;
        private volatile int wakes;

        /** Hands this worker a range; the fields are published by the volatile write of {@code posted}. */
        void start(Task task, float[] a, float[] b, float[] c, float[] d, int i, int j, int from, int to) {
            this.task = task;
            this.a = a;
            this.b = b;
            this.c = c;
            this.d = d;
            this.i = i;
            this.j = j;
            this.from = from;
            this.to = to;
            this.failure = null;
            posted = posted + 1;
            if (parked) LockSupport.unpark(thread);
        }

        /** Waits for the range last started; returns what it threw, or null. */
        Throwable await() {
            int target = posted;
            for (int spins = 0; done != target; spins++) {
                if (spins < 1 << 20) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield();
                }
            }
            Throwable t = failure;
            task = null;
            a = b = c = d = null;
            return t;
        }

        @Override
        public void run() {
            int seen = 0;
            long idleSince = System.nanoTime();
            while (!closed) {
                int p = posted;
                if (p != seen) {
                    try {
                        task.run(a, b, c, d, i, j, from, to);
                    } catch (Throwable t) {
                        failure = t;
                    }
                    seen = p;
                    done = p;
                    idleSince = System.nanoTime();
                } else if (System.nanoTime() - idleSince < SPIN_NANOS) {
                    Thread.onSpinWait();
                } else {
                    parked = true;
                    // a range posted before this flag was seen is caught here; one posted after
                    // it unparks this thread
                    if (posted == seen && !closed) LockSupport.park(this);
                    wakes = wakes + 1;
                    parked = false;
                    idleSince = System.nanoTime();
                }
            }
        }
    }
}
