package io.snapsync.row;

import io.snapsync.schema.Column;
import io.snapsync.schema.ColumnType;
import io.snapsync.schema.Identifiers;
import io.snapsync.schema.TableSchema;
import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;

/**
 * Reads the current row of a {@link ResultSet} (columns in schema order) into a {@link SnapshotRow}:
 * canonical row bytes, canonical key bytes and the row hash. One instance per reader thread; it
 * reuses its buffers, so the only allocations per row are the two arrays it hands out.
 */
public final class JdbcRowEncoder {
    private final TableSchema schema;
    private final int[] keyIndexes;
    private final CanonicalRowWriter row = new CanonicalRowWriter(512);
    private final CanonicalRowWriter key = new CanonicalRowWriter(64);
    private final int[] fieldStart;
    private final int[] fieldEnd;
    private final long[] hash = new long[2];

    public JdbcRowEncoder(TableSchema schema) {
        this.schema = schema;
        this.keyIndexes = schema.keyIndexes();
        this.fieldStart = new int[schema.size()];
        this.fieldEnd = new int[schema.size()];
    }

    public SnapshotRow encode(ResultSet rs) throws SQLException {
        row.reset();
        for (int i = 0; i < schema.size(); i++) {
            fieldStart[i] = row.length();
            writeValue(rs, i + 1, schema.column(i));
            fieldEnd[i] = row.length();
        }
        // the key is the same bytes as the key columns' fields, concatenated in key order
        key.reset();
        byte[] buf = row.buffer();
        for (int k : keyIndexes) {
            if (buf[fieldStart[k]] == ColumnType.NULL_TAG) {
                // MERGE can never match a NULL key: the row would be re-inserted every day or rejected late
                throw new NullKeyException("NULL in primary-key column " + Identifiers.quote(schema.column(k).name())
                        + " of the source snapshot; snapshot rows need a complete key");
            }
            key.writeRaw(buf, fieldStart[k], fieldEnd[k] - fieldStart[k]);
        }
        RowHash.hash(buf, 0, row.length(), hash);
        return new SnapshotRow(Keys.fromBytes(key.buffer(), 0, key.length()), hash[0], hash[1], row.toByteArray());
    }

    private void writeValue(ResultSet rs, int idx, Column c) throws SQLException {
        switch (c.type()) {
            case BOOLEAN -> {
                boolean v = rs.getBoolean(idx);
                if (rs.wasNull()) row.writeNull(); else row.writeBoolean(v);
            }
            case INTEGER -> {
                long v = rs.getLong(idx);
                if (rs.wasNull()) row.writeNull(); else row.writeInteger(v);
            }
            case DECIMAL -> {
                BigDecimal v = rs.getBigDecimal(idx);
                if (v == null) row.writeNull(); else row.writeDecimal(v);
            }
            case FLOAT -> {
                // a REAL read as double would be re-parsed from text (0.1 instead of 0.1f): read it as float
                double v = c.width() == 4 ? rs.getFloat(idx) : rs.getDouble(idx);
                if (rs.wasNull()) row.writeNull(); else row.writeFloat(v);
            }
            case TEXT -> {
                String v = rs.getString(idx);
                if (v == null) row.writeNull(); else row.writeText(v);
            }
            case JSON -> {
                String v = rs.getString(idx);
                if (v == null) row.writeNull(); else row.writeJson(v);
            }
            case BYTES -> {
                byte[] v = rs.getBytes(idx);
                if (v == null) row.writeNull(); else row.writeBytes(v);
            }
            case DATE -> {
                LocalDate v = rs.getObject(idx, LocalDate.class);
                if (v == null) row.writeNull(); else row.writeDate(v);
            }
            case TIMESTAMP -> {
                LocalDateTime v = rs.getObject(idx, LocalDateTime.class);
                if (v == null) row.writeNull(); else row.writeTimestamp(v);
            }
            case TIMESTAMPTZ -> {
                OffsetDateTime v = rs.getObject(idx, OffsetDateTime.class);
                if (v == null) row.writeNull(); else row.writeTimestampTz(v);
            }
            case TIME -> {
                LocalTime v = rs.getObject(idx, LocalTime.class);
                if (v == null) row.writeNull(); else row.writeTime(v);
            }
            case TIMETZ -> {
                OffsetTime v = rs.getObject(idx, OffsetTime.class);
                if (v == null) row.writeNull(); else row.writeTimeTz(v);
            }
        }
    }

    /** A source row without a complete primary key. */
    public static final class NullKeyException extends IllegalStateException {
        public NullKeyException(String message) {
            super(message);
        }
    }
}
