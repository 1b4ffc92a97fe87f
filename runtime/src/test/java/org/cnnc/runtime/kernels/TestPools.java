package org.cnnc.runtime.kernels;

import org.cnnc.runtime.Parallel;

/** The thread pools the kernel tests share: one thread, and two (the calling thread and a worker). */
final class TestPools {
    static final Parallel ONE = new Parallel(1), TWO = new Parallel(2);

    private TestPools() {}
}
