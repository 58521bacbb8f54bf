package io.snapsync.schema;

import java.io.Serializable;

/**
 * A target table column as PostgreSQL declares it, with the limits a value must respect to be stored
 * unchanged (domains resolved to their base type).
 *
 * @param baseType format_type of the base type without modifier, e.g. {@code character varying}
 * @param length maximum characters of varchar/char, or -1 when unbounded
 * @param precision total digits of numeric(p,s), or -1 when unconstrained
 * @param scale digits after the point of numeric(p,s)
 * @param notNull the column is NOT NULL (a NULL from the source would fail the MERGE)
 */
public record TargetColumn(String name, String baseType, int length, int precision, int scale, boolean notNull)
        implements Serializable {

    /** Decodes PostgreSQL's atttypmod for the types whose modifier limits values. */
    public static TargetColumn of(String name, String baseType, int typmod) {
        return of(name, baseType, typmod, false);
    }

    public static TargetColumn of(String name, String baseType, int typmod, boolean notNull) {
        int length = -1;
        int precision = -1;
        int scale = 0;
        switch (baseType) {
            case "character varying", "character" -> length = typmod >= 4 ? typmod - 4 : -1;
            case "numeric" -> {
                if (typmod >= 4) {
                    precision = ((typmod - 4) >> 16) & 0xffff;
                    scale = (short) ((typmod - 4) & 0xffff); // PostgreSQL 15+ allows negative scales
                }
            }
            default -> { }
        }
        return new TargetColumn(name, baseType, length, precision, scale, notNull);
    }

    /** How PostgreSQL would print the type, for messages. */
    public String describe() {
        if (length >= 0) {
            return baseType + "(" + length + ")";
        }
        if (precision >= 0) {
            return baseType + "(" + precision + "," + scale + ")";
        }
        return baseType;
    }
}
