package io.snapsync.cache;

import io.snapsync.row.CanonicalRowReader;
import io.snapsync.row.DecimalText;
import io.snapsync.row.Keys;
import io.snapsync.row.SnapshotRow;
import io.snapsync.row.Temporal;
import io.snapsync.schema.Column;
import io.snapsync.schema.ColumnType;
import io.snapsync.schema.TableSchema;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.HashMap;
import java.util.Map;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.MessageType;

/** Writes {@link SnapshotRow}s as typed Parquet records, decoding the canonical row directly. */
final class CacheRowWriteSupport extends WriteSupport<SnapshotRow> {
    static final String SCHEMA_FINGERPRINT = "snapsync.schema.fingerprint";
    private final TableSchema schema;
    private final MessageType parquetSchema;
    private final CanonicalRowReader reader = new CanonicalRowReader();
    private final byte[] hash = new byte[16];
    private final byte[] decimalBuf = new byte[16];
    private byte[] textBuf = new byte[64];
    /** The canonical row being written. */
    private byte[] current;
    private RecordConsumer consumer;

    /** The file's place in the cache (table dir / version dir / name), stored in its footer: see CacheIntegrity. */
    private final String identity;

    CacheRowWriteSupport(TableSchema schema, String identity) {
        this.schema = schema;
        this.identity = identity;
        this.parquetSchema = CacheParquetSchema.full(schema);
    }

    @Override
    public WriteContext init(org.apache.hadoop.conf.Configuration configuration) {
        return context();
    }

    @Override
    public WriteContext init(ParquetConfiguration configuration) {
        return context();
    }

    private WriteContext context() {
        Map<String, String> meta = new HashMap<>();
        meta.put(SCHEMA_FINGERPRINT, schema.fingerprint());
        meta.put(CacheIntegrity.FILE_IDENTITY, identity);
        return new WriteContext(parquetSchema, meta);
    }

    @Override
    public void prepareForWrite(RecordConsumer recordConsumer) {
        this.consumer = recordConsumer;
    }

    @Override
    public void write(SnapshotRow row) {
        consumer.startMessage();
        int n = schema.size();
        // a carried-over entry (a skipped duplicate key) has key and hash but no values: all columns NULL
        int columns = row.row == null ? 0 : n;
        if (row.row != null) {
            reader.reset(row.row);
            current = row.row;
        }
        for (int i = 0; i < columns; i++) {
            Column c = schema.column(i);
            ColumnType t = reader.next();
            if (t == null) {
                continue;
            }
            consumer.startField(c.name(), i);
            writeValue(c, t);
            consumer.endField(c.name(), i);
        }
        consumer.startField(CacheParquetSchema.KEY, n);
        consumer.addBinary(Binary.fromConstantByteArray(Keys.toBytes(row.key)));
        consumer.endField(CacheParquetSchema.KEY, n);
        putLong(hash, 0, row.hashHi);
        putLong(hash, 8, row.hashLo);
        consumer.startField(CacheParquetSchema.HASH, n + 1);
        consumer.addBinary(Binary.fromReusedByteArray(hash));
        consumer.endField(CacheParquetSchema.HASH, n + 1);
        consumer.endMessage();
    }

    private void writeValue(Column c, ColumnType t) {
        switch (t) {
            case BOOLEAN -> consumer.addBoolean(reader.readBoolean());
            case INTEGER, DATE, TIMESTAMP, TIMESTAMPTZ, TIME -> consumer.addLong(reader.readLong());
            case FLOAT -> {
                double d = reader.readDouble();
                if (c.width() == 4) consumer.addFloat((float) d); else consumer.addDouble(d);
            }
            case DECIMAL -> {
                if (reader.decimalFitsLong()) {
                    int scale = reader.decimalScale();
                    writeDecimal(c, scale, reader.readDecimalUnscaled());
                } else {
                    writeDecimal(c, reader.readDecimal());
                }
            }
            case TEXT, JSON, BYTES -> {
                // the value's bytes where they lie in the row (text is UTF-8 there already): no String, no copy;
                // "reused" makes Parquet copy them wherever it keeps a value past this call (dictionary, statistics)
                int start = reader.fieldStart() + 1 + 4; // tag, length
                reader.skip();
                consumer.addBinary(Binary.fromReusedByteArray(current, start, reader.position() - start));
            }
            case TIMETZ -> {
                long micros = reader.readLong();
                int off = reader.readOffsetSeconds();
                consumer.addBinary(Binary.fromString(Temporal.timeTzText(micros, off)));
            }
        }
    }

    /**
     * A decimal whose unscaled value fits a long, without BigDecimal: the same bytes as the BigDecimal path below.
     * False (nothing consumed) when it needs that path: a value the column's scale would round, or one that
     * overflows a long at the column's scale.
     */
    private void writeDecimal(Column c, int scale, long unscaled) {
        if (CacheParquetSchema.fixedDecimal(c)) {
            int up = c.scale() - scale;
            if (up < 0 || up >= POWERS_OF_TEN.length) {
                writeDecimal(c, BigDecimal.valueOf(unscaled, scale)); // rounding (refused there) or past a long
                return;
            }
            long atScale = unscaled * POWERS_OF_TEN[up];
            if (Math.multiplyHigh(unscaled, POWERS_OF_TEN[up]) != (atScale >> 63)) {
                writeDecimal(c, BigDecimal.valueOf(unscaled, scale)); // past a long at the column's scale
                return;
            }
            fixed16(atScale, decimalBuf);
            // Parquet copies a reused array's bytes wherever it keeps a value (dictionary, statistics)
            consumer.addBinary(Binary.fromReusedByteArray(decimalBuf));
            return;
        }
        long n = DecimalText.plainLength(unscaled, scale, scale);
        if (n > textBuf.length) {
            textBuf = new byte[Math.toIntExact(Math.max(n, 2L * textBuf.length))];
        }
        int end = DecimalText.writePlain(textBuf, 0, unscaled, scale, scale);
        consumer.addBinary(Binary.fromReusedByteArray(textBuf, 0, end));
    }

    private void writeDecimal(Column c, BigDecimal v) {
        if (CacheParquetSchema.fixedDecimal(c)) {
            consumer.addBinary(Binary.fromConstantByteArray(fixed16(v.setScale(c.scale()).unscaledValue())));
        } else {
            consumer.addBinary(Binary.fromString(v.toPlainString()));
        }
    }

    private static final long[] POWERS_OF_TEN = new long[19];

    static {
        long p = 1;
        for (int i = 0; i < POWERS_OF_TEN.length; i++, p *= 10) {
            POWERS_OF_TEN[i] = p;
        }
    }

    /** Sign-extends a long into the 16 bytes of a DECIMAL(<=38) fixed array: {@link #fixed16(BigInteger)} of it. */
    static void fixed16(long unscaled, byte[] out) {
        byte pad = (byte) (unscaled < 0 ? 0xFF : 0);
        for (int i = 0; i < 8; i++) {
            out[i] = pad;
        }
        putLong(out, 8, unscaled);
    }

    /** Sign-extends a two's-complement value into the 16 bytes of a DECIMAL(<=38) fixed array. */
    static byte[] fixed16(BigInteger unscaled) {
        byte[] src = unscaled.toByteArray();
        byte[] out = new byte[16];
        byte pad = (byte) (unscaled.signum() < 0 ? 0xFF : 0);
        int lead = 16 - src.length;
        for (int i = 0; i < lead; i++) {
            out[i] = pad;
        }
        System.arraycopy(src, 0, out, lead, src.length);
        return out;
    }

    static void putLong(byte[] b, int off, long v) {
        for (int i = 7; i >= 0; i--) {
            b[off + i] = (byte) v;
            v >>>= 8;
        }
    }
}
