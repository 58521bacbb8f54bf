package io.snapsync.cache;

import io.snapsync.row.CacheEntry;
import io.snapsync.row.CanonicalRowWriter;
import io.snapsync.row.Keys;
import io.snapsync.row.RowHash;
import io.snapsync.schema.Column;
import io.snapsync.schema.TableSchema;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Map;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.hadoop.api.InitContext;
import org.apache.parquet.hadoop.api.ReadSupport;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.Converter;
import org.apache.parquet.io.api.GroupConverter;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.io.api.RecordMaterializer;
import org.apache.parquet.schema.MessageType;

/**
 * Reads a cache version written under an older schema and re-hashes every row as the source encoder
 * would encode it under the current schema: added columns NULL, dropped columns gone, widened columns
 * re-encoded (same family, so the same canonical value). After a column is added, only rows whose new
 * column is not NULL then differ from the cache: adding a column updates no other row.
 */
final class RehashReadSupport extends ReadSupport<CacheEntry> {
    private final TableSchema before;
    private final TableSchema now;

    RehashReadSupport(TableSchema before, TableSchema now) {
        this.before = before;
        this.now = now;
    }

    @Override
    public ReadContext init(InitContext context) {
        return new ReadContext(CacheParquetSchema.full(before));
    }

    @Override
    public RecordMaterializer<CacheEntry> prepareForRead(org.apache.hadoop.conf.Configuration configuration,
            Map<String, String> keyValueMetaData, MessageType fileSchema, ReadContext readContext) {
        return new Materializer(before, now);
    }

    @Override
    public RecordMaterializer<CacheEntry> prepareForRead(ParquetConfiguration configuration,
            Map<String, String> keyValueMetaData, MessageType fileSchema, ReadContext readContext) {
        return new Materializer(before, now);
    }

    private static final class Materializer extends RecordMaterializer<CacheEntry> {
        private final TableSchema before;
        private final TableSchema now;
        /** Values of the old columns for the current record (null = NULL), and the stored key. */
        private final Object[] values;
        private byte[] key;
        private final int[] oldIndex;
        private final CanonicalRowWriter row = new CanonicalRowWriter(512);
        private final long[] hash = new long[2];
        /** The stored hash is the all-zero tombstone mark of a change layer's delete. */
        private boolean tombstone;
        private final GroupConverter root;

        Materializer(TableSchema before, TableSchema now) {
            this.before = before;
            this.now = now;
            this.values = new Object[before.size()];
            this.oldIndex = new int[now.size()];
            for (int i = 0; i < now.size(); i++) {
                oldIndex[i] = before.indexOf(now.column(i).name());
            }
            Converter[] converters = new Converter[before.size() + 2];
            for (int i = 0; i < before.size(); i++) {
                converters[i] = new Slot(i);
            }
            converters[before.size()] = new PrimitiveConverter() {
                @Override
                public void addBinary(Binary value) {
                    key = value.getBytes();
                }
            };
            converters[before.size() + 1] = new PrimitiveConverter() {
                @Override
                public void addBinary(Binary value) {
                    // the old hash is replaced by the hash under the new schema, except a layer's tombstone mark
                    tombstone = isZero(value.getBytes());
                }
            };
            root = new GroupConverter() {
                @Override
                public Converter getConverter(int fieldIndex) {
                    return converters[fieldIndex];
                }

                @Override
                public void start() {
                    java.util.Arrays.fill(values, null);
                    tombstone = false;
                }

                @Override
                public void end() {}
            };
        }

        /** Stores one old column's Parquet value as its Java value. */
        private final class Slot extends PrimitiveConverter {
            private final int i;

            Slot(int i) {
                this.i = i;
            }

            @Override
            public void addBoolean(boolean v) {
                values[i] = v;
            }

            @Override
            public void addLong(long v) {
                values[i] = v;
            }

            @Override
            public void addFloat(float v) {
                values[i] = (double) v;
            }

            @Override
            public void addDouble(double v) {
                values[i] = v;
            }

            @Override
            public void addBinary(Binary v) {
                values[i] = v.getBytes();
            }
        }

        @Override
        public CacheEntry getCurrentRecord() {
            if (tombstone) {
                return new CacheEntry(Keys.fromBytes(key), 0, 0);
            }
            row.reset();
            for (int i = 0; i < now.size(); i++) {
                Object v = oldIndex[i] < 0 ? null : values[oldIndex[i]];
                if (v == null) {
                    row.writeNull();
                } else {
                    write(now.column(i), before.column(oldIndex[i]), v);
                }
            }
            RowHash.hash(row.buffer(), 0, row.length(), hash);
            return new CacheEntry(Keys.fromBytes(key), hash[0], hash[1]);
        }

        private static boolean isZero(byte[] b) {
            for (byte x : b) {
                if (x != 0) {
                    return false;
                }
            }
            return true;
        }

        /** The canonical value, as {@code JdbcRowEncoder} writes it for the column's family. */
        private void write(Column c, Column old, Object v) {
            switch (c.type()) {
                case BOOLEAN -> row.writeBoolean((Boolean) v);
                case INTEGER -> row.writeInteger((Long) v);
                case FLOAT -> row.writeFloat((Double) v);
                case DECIMAL -> row.writeDecimal(CacheParquetSchema.fixedDecimal(old)
                        ? new BigDecimal(new BigInteger((byte[]) v), old.scale())
                        : new BigDecimal(new String((byte[]) v, java.nio.charset.StandardCharsets.UTF_8)));
                case TEXT -> row.writeText(new String((byte[]) v, java.nio.charset.StandardCharsets.UTF_8));
                case JSON -> row.writeJson(new String((byte[]) v, java.nio.charset.StandardCharsets.UTF_8));
                case BYTES -> row.writeBytes((byte[]) v);
                case DATE, TIMESTAMP, TIMESTAMPTZ -> row.writeTimestampMicros(c.type(), (Long) v);
                case TIME -> row.writeTimeMicros((Long) v);
                case TIMETZ -> {
                    long[] t = io.snapsync.row.Temporal.parseTimeTz(new String((byte[]) v, java.nio.charset.StandardCharsets.UTF_8));
                    row.writeTimeTz(t[0], (int) t[1]);
                }
            }
        }

        @Override
        public GroupConverter getRootConverter() {
            return root;
        }
    }
}
