package io.snapsync.sort;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import io.snapsync.row.KeyOrder;
import io.snapsync.row.SnapshotRow;
import io.snapsync.row.SnapshotRowSerializer;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;
import java.util.function.ToLongFunction;
import org.apache.flink.core.memory.DataInputViewStreamWrapper;
import org.apache.flink.core.memory.DataOutputViewStreamWrapper;

/**
 * Sorts any number of {@link SnapshotRow}s in bounded memory: rows are held until their estimated bytes pass the
 * budget, then that buffer is sorted and written as a run file (zstd level 1: the JNI codec parquet already brings,
 * maintained, native on the platforms Flink runs on, and at its fastest level about as cheap in CPU as LZ4 while
 * writing noticeably fewer bytes for row-wise canonical data, which issue 11 measures); {@link #sorted} then merges
 * the runs and the last, unwritten buffer with a heap, streaming. A sort that fits the budget writes nothing.
 *
 * <p>The order is total over what the merge sees: equal keys end adjacent across runs (the ordered diff's duplicate
 * check relies on it), and rows with a NULL key column come last, equal among themselves (as the in-memory path put
 * them: the merge only counts them). Every field a row carries (key, hash, row bytes, flags) goes through
 * {@link SnapshotRowSerializer}, the same bytes Flink's shuffle uses.
 *
 * <p>Run files are named {@code <prefix>-<random>.run} in the spill directory (unique per sorter by
 * {@link Files#createTempFile}), and deleted as soon as they are merged to the end, on {@link #close} (which the
 * merge's iterator also calls), and when a write fails. Not thread-safe: one sorter per reading thread.
 */
public final class ExternalRowSorter implements Closeable {
    /** A run file ends with this byte; each row is preceded by {@link #MORE}: a truncated run is an error, not fewer rows. */
    private static final int END = 0;
    private static final int MORE = 1;
    private static final int ZSTD_LEVEL = 1;
    private static final int BUFFER = 32 * 1024;
    /**
     * At most this many runs are read at once (each holds a read buffer and zstd's window, ~200 KB): more are first
     * merged into longer runs, a pass at a time, so that the merge's memory does not grow with the number of runs.
     */
    static final int MAX_FAN_IN = 32;

    private final Comparator<SnapshotRow> order;
    private final long budget;
    private final ToLongFunction<SnapshotRow> weight;
    private final Path dir;
    private final String prefix;
    private final RunWriter writer;

    private final List<SnapshotRow> buffer = new ArrayList<>();
    private long held;
    private final List<Path> runs = new ArrayList<>();
    private final List<Closeable> open = new ArrayList<>();
    private long spilledRows;
    private long spilledBytes;
    /** Bytes of the run files on disk now, and the most there were at once. */
    private final java.util.Map<Path, Long> onDisk = new java.util.HashMap<>();
    private long diskNow;
    private long diskPeak;
    private boolean merging;

    /** Writes one sorted run to a file; a seam so that tests can make a write fail. */
    @FunctionalInterface
    interface RunWriter {
        OutputStream open(Path file) throws IOException;
    }

    /**
     * @param order the rows' order (see {@link #byKey})
     * @param budgetBytes rows held in memory, by {@code weight}, before a run is written; at least one row is always held
     * @param weight a row's bytes in memory (an estimate)
     * @param dir where run files go (the job's spill directory); created if missing
     * @param prefix the run files' name prefix, to tell whose they are (e.g. table and subtask); random part appended
     */
    public ExternalRowSorter(Comparator<SnapshotRow> order, long budgetBytes, ToLongFunction<SnapshotRow> weight, Path dir, String prefix) {
        this(order, budgetBytes, weight, dir, prefix, Files::newOutputStream);
    }

    ExternalRowSorter(Comparator<SnapshotRow> order, long budgetBytes, ToLongFunction<SnapshotRow> weight, Path dir, String prefix,
                      RunWriter writer) {
        this.order = order;
        this.budget = Math.max(0, budgetBytes);
        this.weight = weight;
        this.dir = dir;
        this.prefix = prefix.replaceAll("[^A-Za-z0-9_.-]", "_");
        this.writer = writer;
    }

    /**
     * The order of a bucket's rows: by {@link KeyOrder}, rows with a NULL key column last (the ordered JDBC query's
     * NULLS LAST; the merge only counts them), equal among themselves.
     */
    public static Comparator<SnapshotRow> byKey(KeyOrder keys) {
        return (a, b) -> {
            boolean na = a.has(SnapshotRow.NULL_KEY);
            boolean nb = b.has(SnapshotRow.NULL_KEY);
            if (na || nb) {
                return na == nb ? 0 : na ? 1 : -1;
            }
            return keys.compare(a.key, b.key);
        };
    }

    /** Takes a row; writes the held rows as a sorted run first when the row would take them past the budget. */
    public void add(SnapshotRow row) throws IOException {
        if (merging) {
            throw new IllegalStateException("rows added after the merge began");
        }
        long w = weight.applyAsLong(row);
        if (!buffer.isEmpty() && held + w > budget) {
            spill();
        }
        buffer.add(row);
        held += w;
    }

    private void spill() throws IOException {
        buffer.sort(order);
        spilledRows += buffer.size();
        runs.add(write(buffer.iterator()));
        buffer.clear();
        held = 0;
    }

    /** Writes rows (in order) to a new run file; on failure deletes every run (the sorter is done). */
    private Path write(Iterator<SnapshotRow> rows) throws IOException {
        Path file;
        try {
            file = Files.createTempFile(Files.createDirectories(dir), prefix + "-", ".run");
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
        try (OutputStream raw = writer.open(file);
             DataOutputStream out = new DataOutputStream(new BufferedOutputStream(new ZstdOutputStreamNoFinalizer(raw, ZSTD_LEVEL), BUFFER))) {
            DataOutputViewStreamWrapper view = new DataOutputViewStreamWrapper(out);
            while (rows.hasNext()) {
                out.writeByte(MORE);
                SnapshotRowSerializer.INSTANCE.serialize(rows.next(), view);
            }
            out.writeByte(END);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(file);
            close();
            throw e;
        }
        long size = Files.size(file);
        spilledBytes += size;
        onDisk.put(file, size);
        diskNow += size;
        diskPeak = Math.max(diskPeak, diskNow);
        return file;
    }

    /** Merges the oldest runs into one until at most {@link #MAX_FAN_IN} are left (a run reader deletes its file at its end). */
    private void reduceRuns() throws IOException {
        while (runs.size() > MAX_FAN_IN) {
            List<Path> group = new ArrayList<>(runs.subList(0, MAX_FAN_IN));
            List<Iterator<SnapshotRow>> sources = new ArrayList<>();
            for (Path run : group) {
                sources.add(new RunReader(run));
            }
            Path merged = write(new Merge(sources, false));
            runs.removeAll(group);
            open.clear(); // the group's readers are at their ends, closed
            runs.add(merged);
        }
    }

    /** How many run files were written (0: the rows were sorted in memory). */
    public int runs() {
        return runs.size();
    }

    /** Rows written to run files. */
    public long spilledRows() {
        return spilledRows;
    }

    /** Compressed bytes written to run files (an intermediate merge's runs counted too: what was written). */
    public long spilledBytes() {
        return spilledBytes;
    }

    /** The most bytes of run files on disk at once. */
    public long peakDiskBytes() {
        return diskPeak;
    }

    private void delete(Path run) {
        try {
            Files.deleteIfExists(run);
        } catch (IOException ignored) {
            // the spill directory is the job's temporary directory; nothing else reads these names
        }
        Long size = onDisk.remove(run);
        diskNow -= size == null ? 0 : size;
    }

    /**
     * Every row added, in order: the held rows sorted in memory, merged with the runs (one row of each at a time). The
     * iterator closes this sorter (deleting the runs) when it reaches the end; a reader that stops early calls
     * {@link #close}. A run that cannot be read fails the iteration (UncheckedIOException).
     */
    public Iterator<SnapshotRow> sorted() throws IOException {
        if (merging) {
            throw new IllegalStateException("already merging");
        }
        merging = true;
        buffer.sort(order);
        if (runs.isEmpty()) {
            return buffer.iterator();
        }
        List<Iterator<SnapshotRow>> sources = new ArrayList<>();
        try {
            reduceRuns();
            for (Path run : runs) {
                sources.add(new RunReader(run));
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
        sources.add(buffer.iterator());
        return new Merge(sources, true);
    }

    /** Deletes every run file (idempotent); drops the held rows. */
    @Override
    public void close() {
        for (Closeable c : open) {
            try {
                c.close();
            } catch (IOException | RuntimeException ignored) {
                // deleting the file below is what matters
            }
        }
        open.clear();
        for (Path run : runs) {
            delete(run);
        }
        runs.clear();
        buffer.clear();
        held = 0;
    }

    /** A run file's rows as written, the file deleted once its last row is read. */
    private final class RunReader implements Iterator<SnapshotRow>, Closeable {
        private final Path file;
        private final DataInputStream in;
        private final DataInputViewStreamWrapper view;
        private SnapshotRow next;

        RunReader(Path file) throws IOException {
            this.file = file;
            InputStream raw = Files.newInputStream(file);
            try {
                this.in = new DataInputStream(new BufferedInputStream(new ZstdInputStreamNoFinalizer(raw), BUFFER));
            } catch (IOException | RuntimeException e) {
                raw.close();
                throw e;
            }
            open.add(this);
            this.view = new DataInputViewStreamWrapper(in);
            advance();
        }

        private void advance() {
            try {
                int tag = in.read();
                if (tag == MORE) {
                    next = SnapshotRowSerializer.INSTANCE.deserialize(view);
                    return;
                }
                if (tag != END) {
                    throw new EOFException("run file " + file + " ends before its end mark");
                }
                next = null;
                close();
                delete(file);
            } catch (IOException e) {
                throw new UncheckedIOException("reading sort run " + file + " failed: " + e.getMessage(), e);
            }
        }

        @Override
        public boolean hasNext() {
            return next != null;
        }

        @Override
        public SnapshotRow next() {
            if (next == null) {
                throw new NoSuchElementException();
            }
            SnapshotRow r = next;
            advance();
            return r;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    /** The k-way merge: a heap of each source's current row, ties broken by source index (deterministic output). */
    private final class Merge implements Iterator<SnapshotRow> {
        private record Head(SnapshotRow row, int source) {}

        private final List<Iterator<SnapshotRow>> sources;
        private final PriorityQueue<Head> heap;
        /** The final merge: done, it closes the sorter (an intermediate merge's runs delete themselves). */
        private final boolean last;

        Merge(List<Iterator<SnapshotRow>> sources, boolean last) {
            this.sources = sources;
            this.last = last;
            this.heap = new PriorityQueue<>(Math.max(1, sources.size()), (a, b) -> {
                int c = order.compare(a.row, b.row);
                return c != 0 ? c : Integer.compare(a.source, b.source);
            });
            for (int i = 0; i < sources.size(); i++) {
                pull(i);
            }
            if (heap.isEmpty() && last) {
                ExternalRowSorter.this.close();
            }
        }

        private void pull(int i) {
            try {
                if (sources.get(i).hasNext()) {
                    heap.add(new Head(sources.get(i).next(), i));
                }
            } catch (RuntimeException e) {
                ExternalRowSorter.this.close();
                throw e;
            }
        }

        @Override
        public boolean hasNext() {
            return !heap.isEmpty();
        }

        @Override
        public SnapshotRow next() {
            Head h = heap.poll();
            if (h == null) {
                throw new NoSuchElementException();
            }
            pull(h.source);
            if (heap.isEmpty() && last) {
                ExternalRowSorter.this.close();
            }
            return h.row;
        }
    }
}
