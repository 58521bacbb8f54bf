package io.snapsync.cache;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32C;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.parquet.hadoop.ParquetFileReader;

/**
 * Checks, before the target is touched, that the cache version a run diffs against is the one that was
 * committed: the manifest agrees with the control row (version, row count, schema) and with itself (its
 * files' rows add up, no file twice), and every listed file is there with the length and CRC32C recorded
 * when it was written and a Parquet footer holding the recorded number of rows. A version that lost rows
 * would otherwise never delete them from the target.
 *
 * <p>Each file is checksummed whole once, by the run after the one that wrote it: the files in the
 * version's own directory. A file a layered version lists from an older version's directory (its base,
 * older layers) was checksummed by the run that planned against that older version, and is listed again
 * only because that run passed the check and committed (a change layer is written only over the version
 * the planner checked); it is checked for existence, length and footer rows every run, which catches a
 * lost or truncated file before the target is touched; a file put in its place from elsewhere (another
 * version's or table's file of the same length and row count, a restored backup) is caught by the identity
 * every file carries in its footer since it was written ({@link #FILE_IDENTITY}: table, version and file name),
 * and a file without one (written by an older snapsync) is checksummed whole every run; every page the diff reads of it is
 * checked against the CRC32C Parquet recorded in the page header when it was written ({@link
 * CacheEntryFormat#open}), which catches damage inside it before the commit. Reading a base whole every day
 * cost as much as the base (on S3: downloading it).
 *
 * <p>Cost: one metadata call and one footer read per file, plus one full read of the files new since the
 * version before, on the planning machine; manifests of older snapsync versions have no lengths or checksums
 * and get only the row-count checks (with a warning).
 */
public final class CacheIntegrity {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CacheIntegrity.class);

    private CacheIntegrity() {}

    /** Footer key-value metadata: the file's place in the cache when it was written, "table dir/version dir/name". */
    public static final String FILE_IDENTITY = "snapsync.file";

    /** The identity of the file at {@code path}: its last three path elements. */
    public static String identity(Path path) {
        Path versionDir = path.getParent();
        return versionDir.getParent().getName() + "/" + versionDir.getName() + "/" + path.getName();
    }

    /** Thrown when the cache version does not match what was committed; the message is one line with the way out. */
    public static final class DamagedException extends IllegalStateException {
        public DamagedException(String message) {
            super(message);
        }
    }

    /**
     * What one listed file actually is.
     *
     * @param bytes its length, or -1 when it does not exist
     * @param crc32c its checksum (hex), or null when not computed
     * @param footerRows rows its Parquet footer claims, or -1 when unreadable
     * @param unreadable why the footer could not be read, or null
     * @param misplaced the identity its footer carries when that is not the file's own place, or null
     */
    public record Observed(String name, long bytes, String crc32c, long footerRows, String unreadable, String misplaced) {
        public Observed(String name, long bytes, String crc32c, long footerRows, String unreadable) {
            this(name, bytes, crc32c, footerRows, unreadable, null);
        }
    }

    public static String hex(long crc) {
        return String.format("%08x", crc);
    }

    /** Pure: every disagreement between the manifest, the control row and the files as observed. */
    public static List<String> problems(CacheManifest m, String table, String version, long controlRows,
                                        String controlFingerprint, List<Observed> observed) {
        List<String> out = new ArrayList<>();
        if (!table.equals(m.table()) || !version.equals(m.version())) {
            out.add("the manifest describes table " + m.table() + " version " + m.version());
        }
        if (controlFingerprint != null && !controlFingerprint.equals(m.schemaFingerprint())) {
            out.add("the manifest's schema fingerprint differs from the control row's");
        }
        long sum = m.files().stream().mapToLong(CacheManifest.FileEntry::rows).sum();
        // a layered version's files hold the base plus changed rows and tombstones: no sum to compare
        if (!m.isLayered() && sum != m.rowCount()) {
            out.add("its files hold " + sum + " rows but the manifest records " + m.rowCount());
        }
        if (controlRows >= 0 && m.rowCount() != controlRows) {
            out.add("the manifest records " + m.rowCount() + " rows but the control row " + controlRows);
        }
        Set<String> seen = new HashSet<>();
        for (CacheManifest.FileEntry f : m.files()) {
            if (!seen.add(f.versionOr(m.version()) + "/" + f.name())) {
                out.add("file " + f.name() + " is listed twice");
            }
        }
        for (int i = 0; i < m.files().size() && i < observed.size(); i++) {
            CacheManifest.FileEntry listed = m.files().get(i);
            // a file of an older version's directory (a layered version's base or older layers) is named with it
            CacheManifest.FileEntry f = listed.version() == null || listed.version().equals(m.version()) ? listed
                    : new CacheManifest.FileEntry(CacheLayout.VERSION_PREFIX + listed.version() + "/" + listed.name(), listed.rows(),
                    listed.bytes(), listed.crc32c(), listed.firstKey(), listed.lastKey(), listed.version(), listed.layer());
            Observed o = observed.get(i);
            if (o.bytes() < 0) {
                out.add("file " + f.name() + " is missing");
                continue;
            }
            if (f.bytes() != null && f.bytes() != o.bytes()) {
                out.add("file " + f.name() + " is " + o.bytes() + " bytes, written as " + f.bytes());
                continue;
            }
            if (f.crc32c() != null && o.crc32c() != null && !f.crc32c().equals(o.crc32c())) {
                out.add("file " + f.name() + " has CRC32C " + o.crc32c() + ", written as " + f.crc32c());
                continue;
            }
            if (o.unreadable() != null) {
                out.add("file " + f.name() + " is not a readable Parquet file (" + o.unreadable() + ")");
            } else if (o.misplaced() != null) {
                out.add("file " + f.name() + " was written as " + o.misplaced() + ", not as this file");
            } else if (o.footerRows() != f.rows()) {
                out.add("file " + f.name() + " holds " + o.footerRows() + " rows, the manifest records " + f.rows());
            }
        }
        return out;
    }

    /**
     * Verifies a version against its manifest and the control row's row count and fingerprint.
     *
     * @throws DamagedException naming what does not match and the way out
     */
    public static void verify(CacheLayout layout, CacheManifest m, String table, String version, long controlRows,
                              String controlFingerprint) throws IOException {
        Path dir = layout.versionDir(table, version);
        List<Observed> observed = new ArrayList<>();
        boolean old = false;
        for (CacheManifest.FileEntry f : m.files()) {
            old |= f.bytes() == null || f.crc32c() == null;
            // a file of an older version's directory was checksummed whole when that version was the previous one
            boolean checkedBefore = !f.versionOr(version).equals(version);
            observed.add(observe(new Path(layout.versionDir(table, f.versionOr(version)), f.name()), f, !checkedBefore));
        }
        if (old) {
            LOG.warn("{}: cache version {} was written by an older snapsync without file lengths and checksums: only its row "
                    + "counts are checked (the next run writes them)", table, version);
        }
        List<String> problems = problems(m, table, version, controlRows, controlFingerprint, observed);
        if (!problems.isEmpty()) {
            throw new DamagedException("the cache is damaged: version " + version + " of " + table + " (" + dir + "): "
                    + String.join("; ", problems) + "; run `snapsync reconcile` to diff against the live target and write a fresh cache");
        }
    }

    private static Observed observe(Path path, CacheManifest.FileEntry f, boolean wholeChecksum) throws IOException {
        FileSystem fs = path.getFileSystem();
        FileStatus status;
        try {
            status = fs.getFileStatus(path);
        } catch (java.io.FileNotFoundException e) {
            return new Observed(f.name(), -1, null, -1, null);
        }
        long length = status.getLen();
        if (f.bytes() != null && f.bytes() != length) {
            return new Observed(f.name(), length, null, -1, null); // no need to read it
        }
        String crc = wholeChecksum ? checksum(fs, path, f) : null;
        if (crc != null && !crc.equals(f.crc32c())) {
            return new Observed(f.name(), length, crc, -1, null); // no need to read its footer
        }
        String identity;
        long footerRows;
        try (FSDataInputStream in = fs.open(path);
             ParquetFileReader reader = ParquetFileReader.open(FlinkParquetFiles.input(in, length))) {
            footerRows = reader.getRecordCount();
            identity = reader.getFooter().getFileMetaData().getKeyValueMetaData().get(FILE_IDENTITY);
        } catch (IOException | RuntimeException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            return new Observed(f.name(), length, crc, -1, why.replaceAll("\\S+@[0-9a-f]+", "the file"));
        }
        if (identity != null && !identity.equals(identity(path))) {
            return new Observed(f.name(), length, crc, footerRows, null, identity);
        }
        if (crc == null && identity == null) {
            crc = checksum(fs, path, f); // an older snapsync's file can be told from another only by its checksum
        }
        return new Observed(f.name(), length, crc, footerRows, null);
    }

    /** The file's CRC32C (hex), read whole; null when the manifest recorded none (an older snapsync's). */
    private static String checksum(FileSystem fs, Path path, CacheManifest.FileEntry f) throws IOException {
        if (f.crc32c() == null) {
            return null;
        }
        CRC32C digest = new CRC32C();
        byte[] buf = new byte[1 << 16];
        try (FSDataInputStream in = fs.open(path)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                digest.update(buf, 0, n);
            }
        }
        return hex(digest.getValue());
    }
}
