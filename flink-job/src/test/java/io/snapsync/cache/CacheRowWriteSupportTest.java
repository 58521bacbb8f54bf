package io.snapsync.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.snapsync.row.CanonicalRowReader;
import io.snapsync.row.CanonicalRowWriter;
import io.snapsync.row.KeyOrder;
import io.snapsync.row.Keys;
import io.snapsync.row.RowHash;
import io.snapsync.row.SnapshotRow;
import io.snapsync.row.CacheEntry;
import io.snapsync.schema.Column;
import io.snapsync.schema.ColumnType;
import io.snapsync.schema.TableSchema;
import io.snapsync.source.SplitRange;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.MessageType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The values the cache writer stores, read back raw from a real file: decimals (taken from a long where they fit)
 * are byte for byte what the BigDecimal route stores, text is its UTF-8 bytes and bytea its bytes, through dictionary pages and the
 * fallback to plain pages alike (reused buffers must not leak into either); and the file re-hashes to the same
 * row hashes under its own schema (what a schema change reads).
 */
class CacheRowWriteSupportTest {
    private static final TableSchema SCHEMA = new TableSchema(List.of(
            new Column("id", ColumnType.INTEGER, "bigint", 8, 0, 0, false),
            new Column("price", ColumnType.DECIMAL, "numeric", 0, 15, 2, true),
            new Column("wide", ColumnType.DECIMAL, "numeric", 0, 38, 6, true),
            new Column("free", ColumnType.DECIMAL, "numeric", 0, 0, 0, true),
            new Column("few", ColumnType.DECIMAL, "numeric", 0, 12, 4, true),
            new Column("label", ColumnType.TEXT, "text", 0, 0, 0, true),
            new Column("comment", ColumnType.TEXT, "text", 0, 0, 0, true),
            new Column("doc", ColumnType.JSON, "jsonb", 0, 0, 0, true),
            new Column("raw", ColumnType.BYTES, "bytea", 0, 0, 0, true)), List.of("id"));
    private static final String[] LABELS = {"A", "B", "Zürich", "東京", "", "😀 x"};

    @TempDir
    Path tmp;

    private static BigDecimal randomDecimal(SplittableRandom r, int precision, int scale) {
        int digits = r.nextInt(1, precision + 1);
        BigInteger u = new BigInteger(digits * 4, new java.util.Random(r.nextLong())).mod(BigInteger.TEN.pow(digits));
        return new BigDecimal(r.nextBoolean() ? u.negate() : u, scale);
    }

    private static BigDecimal freeDecimal(SplittableRandom r) {
        return switch (r.nextInt(5)) {
            case 0 -> BigDecimal.valueOf(r.nextLong() >> r.nextInt(64), r.nextInt(-12, 25));
            case 1 -> new BigDecimal(BigInteger.valueOf(Long.MAX_VALUE).add(BigInteger.valueOf(r.nextInt(-3, 3))), r.nextInt(0, 8));
            case 2 -> new BigDecimal(BigInteger.valueOf(Long.MIN_VALUE).add(BigInteger.valueOf(r.nextInt(-3, 3))), r.nextInt(-3, 8));
            case 3 -> randomDecimal(r, 40, r.nextInt(0, 30));
            default -> BigDecimal.valueOf(r.nextInt(-1000, 1000), r.nextInt(0, 4));
        };
    }

    private static String randomText(SplittableRandom r) {
        StringBuilder b = new StringBuilder();
        int n = r.nextInt(0, 40);
        for (int i = 0; i < n; i++) {
            b.appendCodePoint(r.nextInt(8) == 0 ? r.nextInt(0x80, 0x2FFFF) : r.nextInt(0x20, 0x7F));
        }
        return b.toString().replaceAll("\\p{Cs}", "?");
    }

    @Test
    void storedValuesAreTheBigDecimalRoutesBytesAndTheRowsReHashTheSame() throws Exception {
        SplittableRandom r = new SplittableRandom(42);
        List<byte[]> rows = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        for (int id = 0; id < 30_000; id++) {
            CanonicalRowWriter w = new CanonicalRowWriter();
            w.writeInteger(id);
            w.writeDecimal(randomDecimal(r, 13, r.nextInt(0, 3)));
            // up to 32 digits: some fit a long, some only before the column's scale is applied, some never
            w.writeDecimal(randomDecimal(r, 32, r.nextInt(0, 7)));
            w.writeDecimal(freeDecimal(r));
            w.writeDecimal(BigDecimal.valueOf(r.nextInt(0, 40), 2)); // few distinct values: stays in its dictionary
            if (id % 97 == 0) {
                w.writeNull();
            } else {
                w.writeText(LABELS[r.nextInt(LABELS.length)]);
            }
            w.writeText(randomText(r)); // many distinct values: falls back from its dictionary to plain pages
            w.writeJson("{\"k\": \"" + randomText(r).replace("\"", "").replace("\\", "") + "\"}");
            byte[] raw = new byte[r.nextInt(0, 3)]; // few distinct values: a dictionary of byte arrays
            r.nextBytes(raw);
            w.writeBytes(raw);
            rows.add(w.toByteArray());
            CanonicalRowWriter k = new CanonicalRowWriter();
            k.writeInteger(id);
            keys.add(Keys.fromBytes(k.toByteArray()));
        }
        Path file = tmp.resolve("c.parquet");
        org.apache.flink.core.fs.Path p = new org.apache.flink.core.fs.Path(file.toUri());
        try (CacheFileWriter w = new CacheFileWriter(p, SCHEMA, CompressionCodecName.SNAPPY, 1 << 20)) {
            for (int i = 0; i < rows.size(); i++) {
                long[] h = RowHash.hash(rows.get(i));
                byte[] scratch = rows.get(i).clone();
                w.write(new SnapshotRow(keys.get(i), h[0], h[1], scratch));
                // overwritten once written: a value Parquet kept by reference (dictionary, page) would show it
                Arrays.fill(scratch, (byte) 0x5A);
            }
        }

        List<Group> stored = readAll(file);
        assertThat(stored).hasSize(rows.size());
        CanonicalRowReader reader = new CanonicalRowReader();
        for (int i = 0; i < rows.size(); i++) {
            Group g = stored.get(i);
            reader.reset(rows.get(i));
            for (int c = 0; c < SCHEMA.size(); c++) {
                Column col = SCHEMA.column(c);
                ColumnType t = reader.next();
                if (t == null) {
                    assertThat(g.getFieldRepetitionCount(c)).isZero();
                    continue;
                }
                byte[] expected = switch (t) {
                    case INTEGER -> null;
                    case DECIMAL -> {
                        BigDecimal v = reader.readDecimal();
                        yield CacheParquetSchema.fixedDecimal(col)
                                ? CacheRowWriteSupport.fixed16(v.setScale(col.scale()).unscaledValue())
                                : v.toPlainString().getBytes(StandardCharsets.UTF_8);
                    }
                    case BYTES -> reader.readBytes();
                    default -> reader.readString().getBytes(StandardCharsets.UTF_8);
                };
                if (t == ColumnType.INTEGER) {
                    assertThat(g.getLong(c, 0)).isEqualTo(reader.readLong());
                } else {
                    assertThat(g.getBinary(c, 0).getBytes()).as("row %d column %s", i, col.name()).isEqualTo(expected);
                }
            }
        }

        // the re-hash a schema change does reads every stored value back into the canonical row
        SortedCacheReader.FileRange range = new SortedCacheReader.FileRange(p.toString(), keys.get(0), keys.get(keys.size() - 1), 0);
        try (SortedCacheReader cache = new SortedCacheReader(List.of(range), new KeyOrder(SCHEMA), SCHEMA, SCHEMA)) {
            Iterator<CacheEntry> it = cache.range(SplitRange.ALL);
            int i = 0;
            while (it.hasNext()) {
                CacheEntry e = it.next();
                long[] h = RowHash.hash(rows.get(i));
                assertThat(new long[] {e.hashHi, e.hashLo}).as("row %d", i).containsExactly(h);
                i++;
            }
            assertThat(i).isEqualTo(rows.size());
        }
    }

    @Test
    void fixedBytesOfALongAreThoseOfItsBigInteger() {
        SplittableRandom r = new SplittableRandom(1);
        byte[] out = new byte[16];
        List<Long> values = new ArrayList<>(List.of(0L, 1L, -1L, Long.MAX_VALUE, Long.MIN_VALUE, 255L, -256L, 1L << 56));
        for (int i = 0; i < 10_000; i++) {
            values.add(r.nextLong() >> r.nextInt(64));
        }
        for (long v : values) {
            CacheRowWriteSupport.fixed16(v, out);
            assertThat(Arrays.equals(out, CacheRowWriteSupport.fixed16(BigInteger.valueOf(v)))).as("%d", v).isTrue();
        }
    }

    private static List<Group> readAll(Path file) throws Exception {
        List<Group> out = new ArrayList<>();
        try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file))) {
            MessageType schema = reader.getFooter().getFileMetaData().getSchema();
            PageReadStore pages;
            while ((pages = reader.readNextRowGroup()) != null) {
                RecordReader<Group> records = new ColumnIOFactory().getColumnIO(schema)
                        .getRecordReader(pages, new GroupRecordConverter(schema));
                for (long i = 0; i < pages.getRowCount(); i++) {
                    out.add(records.read());
                }
            }
        }
        return out;
    }
}
