package io.snapsync.schema;

import java.io.Serializable;
import java.util.Objects;

/**
 * One column of a synced table.
 *
 * @param name exact column name (case-sensitive; always quoted in SQL)
 * @param type value family used for encoding and hashing
 * @param sqlType the PostgreSQL type to declare for it, e.g. {@code numeric(38,4)}, {@code varchar(20)}
 * @param width bytes of an INTEGER (2, 4, 8) or FLOAT (4, 8) column; 0 otherwise
 * @param precision declared precision of a DECIMAL (0 = unconstrained)
 * @param scale declared scale of a DECIMAL
 * @param nullable whether the source allows NULL
 */
public record Column(
        String name,
        ColumnType type,
        String sqlType,
        int width,
        int precision,
        int scale,
        boolean nullable)
        implements Serializable {

    public Column {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(sqlType, "sqlType");
    }

    /** A short description for fingerprints and messages: {@code "name" numeric(10,2)}. */
    public String describe() {
        return Identifiers.quote(name) + " " + sqlType + (nullable ? "" : " not null");
    }
}
