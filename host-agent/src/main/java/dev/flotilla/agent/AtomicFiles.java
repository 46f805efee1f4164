package dev.flotilla.agent;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Replaces a state file so that a crash at any moment leaves either the old content or the new,
 * never a part: written to a temporary file beside it (mode 0600 from its creation), forced to
 * disk, renamed over the old one, and the folder forced so that the rename itself survives.
 */
final class AtomicFiles {
    private static final Logger LOG = Logger.getLogger(AtomicFiles.class.getName());

    private AtomicFiles() {}

    static void write(Path file, byte[] content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try (FileChannel ch = FileChannel.open(
                tmp,
                java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            ByteBuffer buffer = ByteBuffer.wrap(content);
            while (buffer.hasRemaining()) {
                ch.write(buffer);
            }
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        forceFolder(file.toAbsolutePath().getParent());
    }

    /** Forces a folder's entries (a rename) to disk; where a folder cannot be opened, nothing. */
    static void forceFolder(Path folder) {
        try (FileChannel dir = FileChannel.open(folder, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Some file systems do not open folders; the rename is still atomic, only maybe not yet durable.
            LOG.log(Level.FINE, "cannot force " + folder + " to disk", e);
        }
    }
}
