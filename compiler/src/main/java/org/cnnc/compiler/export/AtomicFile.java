package org.cnnc.compiler.export;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import org.cnnc.compiler.diag.CompileError;
import org.cnnc.compiler.diag.Pos;

/**
 * Writes a file through a temporary file beside it, moved into place once complete: a failure
 * leaves neither a partial file nor the temporary one, and an existing file stays as it was.
 */
public final class AtomicFile {
    private static final SecureRandom RANDOM = new SecureRandom();

    private AtomicFile() {}

    /** What writes the content; the stream is buffered and closed by {@link #write}. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Writes {@code target} and returns its size; I/O failures become a {@link CompileError} naming the file. */
    public static long write(Path target, Content content) {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new CompileError(Pos.none(target.toString()),
                    "cannot write the file: the directory " + (dir == null ? "" : dir + " ") + "does not exist");
        }
        if (Files.isDirectory(abs)) throw new CompileError(Pos.none(target.toString()), "is a directory, not a file");
        Path tmp = null;
        for (int attempt = 0; tmp == null; attempt++) {
            // not Files.createTempFile: its owner-only permissions would stay on the finished file
            Path candidate = dir.resolve("." + abs.getFileName() + "." + Long.toHexString(RANDOM.nextLong()) + ".tmp");
            try {
                tmp = Files.createFile(candidate);
            } catch (FileAlreadyExistsException e) {
                if (attempt > 100) throw new CompileError(Pos.none(target.toString()), "cannot create a temporary file in " + dir);
            } catch (IOException e) {
                throw new CompileError(Pos.none(target.toString()), "cannot write in " + dir + ": " + e);
            }
        }
        boolean moved = false;
        try {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
                content.writeTo(out);
            }
            long size = Files.size(tmp);
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
            moved = true;
            return size;
        } catch (IOException e) {
            throw new CompileError(Pos.none(target.toString()), "cannot write the file: " + e);
        } finally {
            if (!moved) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the original failure is the one to report
                }
            }
        }
    }
}
