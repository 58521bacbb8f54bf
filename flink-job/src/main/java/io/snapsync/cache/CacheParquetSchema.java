package io.snapsync.cache;

import io.snapsync.schema.Column;
import io.snapsync.schema.TableSchema;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.TimeUnit;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;

/**
 * The Parquet layout of a cache file: every table column as a typed, optional Parquet column (so the
 * cache is a usable snapshot for people and tools), plus the canonical key and the 128-bit row hash.
 * The diff projects only {@link #KEY} and {@link #HASH}, so it reads a small fraction of each file.
 *
 * <pre>
 *   BOOLEAN     boolean              FLOAT      float (REAL) / double
 *   INTEGER     int64                TEXT       binary (STRING)
 *   DECIMAL     fixed(16) DECIMAL(p,s) when p <= 38, else binary (STRING, plain notation)
 *   BYTES       binary               JSON       binary (JSON)
 *   DATE        int64 days since 1970-01-01 (int64, not DATE, so +/-infinity fit)
 *   TIMESTAMP, TIMESTAMPTZ  int64 microseconds since 2000-01-01 (PostgreSQL's epoch; Unix-epoch
 *               micros, which TIMESTAMP(MICROS) requires, overflow at PostgreSQL's largest timestamp)
 *   TIME        int64 TIME(MICROS)              TIMETZ      binary (STRING, HH:MM:SS.ffffff+hh:mm:ss)
 * </pre>
 */
public final class CacheParquetSchema {
    public static final String KEY = "__snapsync_key";
    public static final String HASH = "__snapsync_hash";

    private CacheParquetSchema() {}

    public static MessageType full(TableSchema schema) {
        Types.MessageTypeBuilder b = Types.buildMessage();
        for (Column c : schema.columns()) {
            b.addField(field(c));
        }
        b.required(PrimitiveTypeName.BINARY).named(KEY);
        b.required(PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY).length(16).named(HASH);
        return b.named("snapsync_cache");
    }

    /** What the diff reads: key and hash only. */
    public static MessageType keyAndHash() {
        return Types.buildMessage()
                .required(PrimitiveTypeName.BINARY).named(KEY)
                .required(PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY).length(16).named(HASH)
                .named("snapsync_cache");
    }

    static boolean fixedDecimal(Column c) {
        return c.precision() > 0 && c.precision() <= 38;
    }

    private static Type field(Column c) {
        String n = c.name();
        return switch (c.type()) {
            case BOOLEAN -> Types.optional(PrimitiveTypeName.BOOLEAN).named(n);
            case INTEGER -> Types.optional(PrimitiveTypeName.INT64).named(n);
            case FLOAT -> Types.optional(c.width() == 4 ? PrimitiveTypeName.FLOAT : PrimitiveTypeName.DOUBLE).named(n);
            case DECIMAL -> fixedDecimal(c)
                    ? Types.optional(PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY).length(16)
                            .as(LogicalTypeAnnotation.decimalType(c.scale(), c.precision())).named(n)
                    : Types.optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named(n);
            case TEXT, TIMETZ -> Types.optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named(n);
            case JSON -> Types.optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.jsonType()).named(n);
            case BYTES -> Types.optional(PrimitiveTypeName.BINARY).named(n);
            case DATE -> Types.optional(PrimitiveTypeName.INT64).named(n);
            case TIMESTAMP, TIMESTAMPTZ -> Types.optional(PrimitiveTypeName.INT64).named(n);
            case TIME -> Types.optional(PrimitiveTypeName.INT64).as(LogicalTypeAnnotation.timeType(false, TimeUnit.MICROS)).named(n);
        };
    }
}
