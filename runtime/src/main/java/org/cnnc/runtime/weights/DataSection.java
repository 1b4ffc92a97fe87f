package org.cnnc.runtime.weights;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;

/** The bytes after a safetensors header, handed out as little-endian views of bounded size. */
abstract sealed class DataSection implements AutoCloseable {

    /** The largest view {@link #view} gives. */
    abstract int maxView();

    /** A little-endian view of {@code length <= maxView()} bytes from {@code position} (relative to the section). */
    abstract ByteBuffer view(long position, int length) throws IOException;

    @Override
    public void close() throws IOException {
    }

    /**
     * A region of a file, mapped a piece at a time: one MappedByteBuffer cannot exceed 2 GiB, and
     * mapping only what a read needs keeps the address space small.
     */
    static final class Mapped extends DataSection {
        private final FileChannel channel;
        private final long start;
        private final int maxView;

        Mapped(FileChannel channel, long start, int maxView) {
            this.channel = channel;
            this.start = start;
            this.maxView = maxView;
        }

        @Override
        int maxView() {
            return maxView;
        }

        @Override
        ByteBuffer view(long position, int length) throws IOException {
            return channel.map(FileChannel.MapMode.READ_ONLY, start + position, length).order(ByteOrder.LITTLE_ENDIAN);
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    /** A data section held in memory (read from a stream, e.g. a resource inside a jar). */
    static final class InMemory extends DataSection {
        private final byte[] bytes;

        InMemory(byte[] bytes) {
            this.bytes = bytes;
        }

        @Override
        int maxView() {
            return Integer.MAX_VALUE;
        }

        @Override
        ByteBuffer view(long position, int length) {
            return ByteBuffer.wrap(bytes, Math.toIntExact(position), length).slice().order(ByteOrder.LITTLE_ENDIAN);
        }
    }
}
