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
    private final EncoderOptions options;
    private int nulColumn;
    private boolean nulFixed;
    private boolean textBytes;
    private boolean[] binary;
    private final BinaryNumeric numeric = new BinaryNumeric();

    public JdbcRowEncoder(TableSchema schema) {
        this(schema, EncoderOptions.strict("?"));
    }

    public JdbcRowEncoder(TableSchema schema, EncoderOptions options) {
        this.schema = schema;
        this.options = options;
        this.keyIndexes = schema.keyIndexes();
        this.fieldStart = new int[schema.size()];
        this.fieldEnd = new int[schema.size()];
    }

    /**
     * Whether {@code ResultSet.getBytes} of a text column gives the value's UTF-8 bytes as they came over the wire
     * (pgjdbc's own result set does): then ASCII values are taken as those bytes, skipping the driver's decoding
     * into a String and this encoder's encoding back; any other value still goes through getString, so the
     * bytes written are the same either way (see {@code source.SourceDialect#textAsBytes}).
     */
    public void textAsBytes(boolean on) {
        this.textBytes = on;
    }

    /**
     * Which columns arrive in PostgreSQL's binary form through {@code ResultSet.getBytes} (null: none). Dates,
     * timestamps and times are then taken from those bytes: the binary form already is the canonical count
     * (days or microseconds since 2000-01-01, microseconds of the day, the same infinities), so the driver's
     * conversion to java.time and back is skipped; numerics from their base-10000 digits ({@link BinaryNumeric}),
     * not through a BigDecimal; {@code source.BinaryTransferTest} holds both paths equal.
     */
    public void binaryColumns(boolean[] binaryColumns) {
        this.binary = binaryColumns;
    }

    /** PostgreSQL's date epoch (2000-01-01) in days since 1970-01-01. */
    private static final long PG_EPOCH_DAY = 10_957;

    private static long int8(byte[] b) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[i] & 0xFF);
        }
        return v;
    }

    /** A date, timestamp or time column's binary value written from its bytes, or false when not in binary. */
    private boolean writeBinaryTemporal(ResultSet rs, int idx, ColumnType type) throws SQLException {
        if (binary == null || !binary[idx - 1]) {
            return false;
        }
        byte[] b = rs.getBytes(idx);
        if (b == null) {
            row.writeNull();
            return true;
        }
        switch (type) {
            case DATE -> {
                int days = ((b[0] & 0xFF) << 24) | ((b[1] & 0xFF) << 16) | ((b[2] & 0xFF) << 8) | (b[3] & 0xFF);
                row.writeDateDays(days == Integer.MAX_VALUE ? Long.MAX_VALUE : days == Integer.MIN_VALUE ? Long.MIN_VALUE
                        : days + PG_EPOCH_DAY);
            }
            case TIMESTAMP, TIMESTAMPTZ -> row.writeTimestampMicros(type, int8(b));
            case TIME -> row.writeTimeMicros(int8(b));
            default -> throw new IllegalArgumentException(type.name());
        }
        return true;
    }

    /**
     * A numeric column's binary value written from its digits, or false when not in binary or not fitting a long
     * (and for NaN/Infinity, which the general path refuses): then the caller reads it as a BigDecimal.
     */
    private boolean writeBinaryDecimal(ResultSet rs, int idx) throws SQLException {
        if (binary == null || !binary[idx - 1]) {
            return false;
        }
        byte[] b = rs.getBytes(idx);
        if (b == null) {
            row.writeNull();
            return true;
        }
        if (!numeric.decode(b)) {
            return false;
        }
        row.writeDecimal(numeric.unscaled(), numeric.scale());
        return true;
    }

    /**
     * Encodes the current row. A row with a NULL key column comes back flagged {@link SnapshotRow#NULL_KEY}
     * (MERGE can never match a NULL key; the diff counts and refuses or drops it per on-null-key).
     *
     * @throws BadDataException text with U+0000 under on-nul-character: fail, naming table, column and key
     */
    public SnapshotRow encode(ResultSet rs) throws SQLException {
        row.reset();
        nulColumn = -1;
        nulFixed = false;
        for (int i = 0; i < schema.size(); i++) {
            fieldStart[i] = row.length();
            writeValue(rs, i + 1, schema.column(i));
            fieldEnd[i] = row.length();
        }
        return finish();
    }

    /**
     * Encodes a row whose values were already decoded (from UNLOAD's Parquet files, see
     * {@code unload.ParquetValues}), one per column in schema order, null for NULL: BOOLEAN Boolean, INTEGER
     * Long, DECIMAL BigDecimal or {@link LongDecimal}, FLOAT Double, TEXT/JSON String, BYTES byte[], DATE Long (days since 1970),
     * TIMESTAMP/TIMESTAMPTZ Long (microseconds since 2000-01-01), TIME Long (microseconds of the day), TIMETZ
     * long[] {micros of day, offset seconds}. Same bytes, key, hash and NUL policy as {@link #encode(ResultSet)}.
     */
    public SnapshotRow encodeValues(Object[] values) {
        row.reset();
        nulColumn = -1;
        nulFixed = false;
        for (int i = 0; i < schema.size(); i++) {
            fieldStart[i] = row.length();
            writeObject(values[i], i, schema.column(i));
            fieldEnd[i] = row.length();
        }
        return finish();
    }

    private SnapshotRow finish() {
        // the key is the same bytes as the key columns' fields, concatenated in key order
        key.reset();
        byte[] buf = row.buffer();
        byte flags = nulFixed ? SnapshotRow.NUL_FIXED : 0;
        for (int k : keyIndexes) {
            if (buf[fieldStart[k]] == ColumnType.NULL_TAG) {
                flags |= SnapshotRow.NULL_KEY;
            }
            key.writeRaw(buf, fieldStart[k], fieldEnd[k] - fieldStart[k]);
        }
        if (nulColumn >= 0) {
            throw new BadDataException("table " + options.table() + ", column " + Identifiers.quote(schema.column(nulColumn).name())
                    + ", key " + KeyFormatter.format(schema, java.util.Arrays.copyOf(key.buffer(), key.length()))
                    + (schema.column(nulColumn).type() == ColumnType.JSON
                        ? ": the value contains a NUL character or the JSON escape \\u0000, which jsonb cannot store; "
                        : ": text contains a NUL character (U+0000), which PostgreSQL cannot store; ")
                    + "set on-nul-character: strip or replace to load it");
        }
        RowHash.hash(buf, 0, row.length(), hash);
        SnapshotRow out = new SnapshotRow(Keys.fromBytes(key.buffer(), 0, key.length()), hash[0], hash[1], row.toByteArray());
        out.flags = flags;
        return out;
    }

    /** The same policy for the JSON escape {@code \u0000}, which jsonb (SUPER's type here) refuses; plain json keeps it. */
    private String jsonbNul(String v, Column c, int column) {
        if (!"jsonb".equals(c.sqlType()) || v.indexOf("\\u0000") < 0) {
            return v;
        }
        switch (options.nul()) {
            case FAIL -> {
                if (JsonNul.contains(v) && nulColumn < 0) {
                    nulColumn = column;
                }
                return v;
            }
            case STRIP -> {
                String r = JsonNul.rewrite(v, "");
                nulFixed |= r != null;
                return r == null ? v : r;
            }
            default -> {
                String r = JsonNul.rewrite(v, options.nulReplacement());
                nulFixed |= r != null;
                return r == null ? v : r;
            }
        }
    }

    /** Applies on-nul-character to a text value; FAIL only remembers the column (the key is not known yet). */
    private String nul(String v, int column) {
        if (v.indexOf('\0') < 0) {
            return v;
        }
        switch (options.nul()) {
            case FAIL -> {
                if (nulColumn < 0) {
                    nulColumn = column;
                }
                return v;
            }
            case STRIP -> {
                nulFixed = true;
                return v.replace("\0", "");
            }
            default -> {
                nulFixed = true;
                return v.replace("\0", options.nulReplacement());
            }
        }
    }

    /**
     * PostgreSQL's numeric also holds NaN and ±Infinity (Redshift's DECIMAL does not, nor does a decimal
     * encoding): refused while reading, before anything is staged, naming the column and the way out.
     */
    private SQLException notANumber(ResultSet rs, int idx, Column c, SQLException cause) throws SQLException {
        String text = rs.getString(idx);
        if (text != null && (text.equals("NaN") || text.endsWith("Infinity"))) {
            throw new BadDataException("table " + options.table() + ", column " + Identifiers.quote(c.name()) + ": numeric value "
                    + text + " cannot be carried (a decimal has no " + text + "; Redshift's DECIMAL neither): change the source "
                    + "column to double precision, or sync a view that maps it, e.g. NULLIF(" + Identifiers.quote(c.name())
                    + ", 'NaN'); nothing applied");
        }
        return cause;
    }

    private void writeObject(Object v, int column, Column c) {
        if (v == null) {
            row.writeNull();
            return;
        }
        switch (c.type()) {
            case BOOLEAN -> row.writeBoolean((Boolean) v);
            case INTEGER -> row.writeInteger((Long) v);
            case DECIMAL -> {
                if (v instanceof LongDecimal d) row.writeDecimalStripping(d.unscaled(), d.scale()); else row.writeDecimal((BigDecimal) v);
            }
            case FLOAT -> row.writeFloat((Double) v);
            case TEXT -> row.writeText(nul((String) v, column));
            case JSON -> row.writeJson(jsonbNul(nul((String) v, column), c, column));
            case BYTES -> row.writeBytes((byte[]) v);
            // Parquet's INT32 days: never LocalDate.MAX/MIN's day (+/-infinity), so the LocalDate round trip writeDate
            // made gives these same bytes
            case DATE -> row.writeDateDays((Long) v);
            case TIMESTAMP, TIMESTAMPTZ -> row.writeTimestampMicros(c.type(), (Long) v);
            case TIME -> row.writeTimeMicros((Long) v);
            case TIMETZ -> {
                long[] t = (long[]) v;
                row.writeTimeTz(t[0], (int) t[1]);
            }
        }
    }

    private void writeValue(ResultSet rs, int idx, Column c) throws SQLException {
        int column = idx - 1;
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
                if (!writeBinaryDecimal(rs, idx)) {
                    BigDecimal v = decimal(rs, idx, c);
                    if (v == null) row.writeNull(); else row.writeDecimal(v);
                }
            }
            case FLOAT -> {
                // a REAL read as double would be re-parsed from text (0.1 instead of 0.1f): read it as float
                double v = c.width() == 4 ? rs.getFloat(idx) : rs.getDouble(idx);
                if (rs.wasNull()) row.writeNull(); else row.writeFloat(v);
            }
            case TEXT -> writeText(rs, idx, column);
            case JSON -> {
                String v = rs.getString(idx);
                if (v == null) row.writeNull(); else row.writeJson(jsonbNul(nul(v, column), c, column));
            }
            case BYTES -> {
                byte[] v = rs.getBytes(idx);
                if (v == null) row.writeNull(); else row.writeBytes(v);
            }
            case DATE, TIMESTAMP, TIMESTAMPTZ, TIME -> {
                if (!writeBinaryTemporal(rs, idx, c.type())) {
                    writeTemporal(rs, idx, c.type());
                }
            }
            case TIMETZ -> writeTimeTz(rs.getString(idx));
        }
    }

    private void writeTemporal(ResultSet rs, int idx, ColumnType type) throws SQLException {
        switch (type) {
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
            default -> throw new IllegalArgumentException(type.name());
        }
    }

    private void writeText(ResultSet rs, int idx, int column) throws SQLException {
        if (textBytes) {
            byte[] b = rs.getBytes(idx);
            if (b == null) {
                row.writeNull();
                return;
            }
            if (plainAscii(b)) {
                row.writeTextUtf8(b);
                return;
            }
        }
        String v = rs.getString(idx);
        if (v == null) row.writeNull(); else row.writeText(nul(v, column));
    }

    /** No byte above 0x7F and no NUL: the String of these bytes is one char per byte, encoding back to them. */
    private static boolean plainAscii(byte[] b) {
        for (byte x : b) {
            if (x <= 0) {
                return false;
            }
        }
        return true;
    }

    private BigDecimal decimal(ResultSet rs, int idx, Column c) throws SQLException {
        try {
            return rs.getBigDecimal(idx);
        } catch (SQLException e) {
            throw notANumber(rs, idx, c, e);
        }
    }

    private void writeTimeTz(String v) {
        if (v == null) {
            row.writeNull();
        } else {
            long[] t = Temporal.parseTimeTz(v);
            row.writeTimeTz(t[0], (int) t[1]);
        }
    }
}
