package io.snapsync.schema;

/**
 * The value families snapsync understands. The family, not the declared SQL type, decides how a
 * value is encoded and hashed, so that widening a column (INT to BIGINT, VARCHAR(10) to VARCHAR(20),
 * NUMERIC(10,2) to NUMERIC(12,4)) does not change the hash of unchanged rows.
 *
 * <p>The {@link #tag} is written in front of every non-NULL value of the canonical row encoding
 * (see {@code io.snapsync.row.CanonicalRowWriter}); NULL is tag 0. Tags are part of the on-disk
 * cache format: never renumber them.
 */
public enum ColumnType {
    BOOLEAN(1),
    /** SMALLINT, INTEGER, BIGINT: one family, encoded as a 64-bit integer. */
    INTEGER(2),
    /** NUMERIC / DECIMAL, normalised (trailing zeros stripped) so equal numbers hash equal. */
    DECIMAL(3),
    /** REAL and DOUBLE PRECISION, encoded as a 64-bit IEEE double. */
    FLOAT(4),
    /** CHAR, VARCHAR, TEXT. */
    TEXT(5),
    /** BYTEA / VARBYTE. */
    BYTES(6),
    DATE(7),
    /** TIMESTAMP WITHOUT TIME ZONE. */
    TIMESTAMP(8),
    /** TIMESTAMP WITH TIME ZONE, normalised to an instant. */
    TIMESTAMPTZ(9),
    TIME(10),
    TIMETZ(11),
    /** JSON, JSONB, Redshift SUPER. */
    JSON(12);

    public static final byte NULL_TAG = 0;

    public final byte tag;

    ColumnType(int tag) {
        this.tag = (byte) tag;
    }

    /** By tag: called for every value decoded (values() would copy the array each time). */
    private static final ColumnType[] BY_TAG = new ColumnType[128];

    static {
        for (ColumnType t : values()) {
            BY_TAG[t.tag] = t;
        }
    }

    public static ColumnType ofTag(byte tag) {
        ColumnType t = tag >= 0 ? BY_TAG[tag] : null;
        if (t == null) {
            throw new IllegalArgumentException("unknown value tag " + tag);
        }
        return t;
    }
}
