package io.snapsync.schema;

import java.util.Set;

/**
 * Which existing target column types hold every value of a source column unchanged and compare them with
 * the same equality as snapsync's diff (the canonical encoding: exact text, exact bytes, numeric value,
 * microseconds). Pure; decided while planning, before anything is read.
 *
 * <pre>
 * source                      target types accepted (domains judged by their base type)
 * boolean                     boolean
 * smallint/integer/bigint     smallint, integer, bigint, numeric   (ranges checked per value before staging)
 * numeric(p,s) / numeric      numeric                              (digits checked per value before staging)
 * real                        real, double precision
 * double precision            double precision
 * char(n)                     char(n) (same n), varchar, text      (the padded value is kept as text)
 * varchar(n) / text / enum    varchar, text, citext*, enums        (lengths checked per value; an enum refuses
 *                                                                   unknown labels loudly in COPY)
 * uuid                        uuid, varchar, text
 * bytea                       bytea
 * date                        date, timestamp
 * timestamp                   timestamp / timestamp(6)
 * timestamptz                 timestamptz / timestamptz(6)
 * time / timetz               time(6) / timetz(6)
 * jsonb (SUPER)               jsonb, json*
 * json                        json*, text
 * </pre>
 * (*) compared as text in the MERGE: citext's case-insensitive equality would skip a case-only change,
 * json has no equality. Everything else is refused: another family, fewer fractional digits, real for
 * double, char(n) for text (pads and ignores trailing spaces), jsonb for json (drops duplicate keys,
 * whitespace and key order), name (63 bytes), timestamp for timestamptz and back (the session time zone),
 * arrays, ranges, composites, a domain over a domain.
 */
public final class TargetCompatibility {
    private TargetCompatibility() {}

    /**
     * A target column as the catalog describes it.
     *
     * @param declared format_type with modifier, for messages (a domain's own name)
     * @param baseType format_type of the base type without modifier (domains resolved one level)
     * @param typmod the base type's modifier (the domain's when a domain), -1 when none
     * @param kind pg_type.typtype of the base type: b base, e enum, c composite, r range, m multirange, d domain, p pseudo
     * @param array the base type is an array
     * @param deterministicCollation false when the column's collation is nondeterministic (ICU, e.g. case-insensitive)
     */
    public record Target(String name, String declared, String baseType, int typmod, char kind, boolean array,
                         boolean deterministicCollation) {
        public Target(String name, String declared, String baseType, int typmod, char kind, boolean array) {
            this(name, declared, baseType, typmod, kind, array, true);
        }
    }

    /** SAME: store and compare as is; AS_TEXT: store as is but compare as text in the MERGE; LOSSY: refuse. */
    public enum Verdict { SAME, AS_TEXT, LOSSY }

    public record Result(Verdict verdict, String reason) {
        static Result same() {
            return new Result(Verdict.SAME, null);
        }

        static Result asText() {
            return new Result(Verdict.AS_TEXT, null);
        }

        static Result lossy(String reason) {
            return new Result(Verdict.LOSSY, reason);
        }
    }

    private static final Set<String> INTEGERS = Set.of("smallint", "integer", "bigint");

    public static Result check(Column source, Target t) {
        if (t.array()) {
            return Result.lossy("an array type does not hold single values");
        }
        if (t.kind() == 'd') {
            return Result.lossy("a domain over a domain is not resolved; declare the column with the base type");
        }
        if (t.kind() != 'b' && t.kind() != 'e') {
            return Result.lossy("a " + kindName(t.kind()) + " type does not hold " + source.sqlType() + " values");
        }
        if (!t.deterministicCollation()) {
            // like citext, but a cast to text keeps the column's collation: comparing as text would not help
            return Result.lossy("its collation is nondeterministic: values that differ only in ways it ignores (case, accents) "
                    + "compare equal, so such a change would be reported and not applied");
        }
        String b = t.baseType();
        return switch (source.type()) {
            case BOOLEAN -> only(b, "boolean");
            case INTEGER -> INTEGERS.contains(b) || b.equals("numeric") ? Result.same() : otherFamily(b);
            case DECIMAL -> b.equals("numeric") ? Result.same()
                    : INTEGERS.contains(b) ? Result.lossy(b + " rounds away the decimal places")
                    : b.equals("real") || b.equals("double precision") ? Result.lossy(b + " rounds to binary floating point")
                    : otherFamily(b);
            case FLOAT -> b.equals("double precision") ? Result.same()
                    : b.equals("real") ? (source.width() == 4 ? Result.same()
                            : Result.lossy("real keeps about 6 significant digits of a double precision value (PostgreSQL would round)"))
                    : otherFamily(b);
            case TEXT -> text(source, t);
            case BYTES -> only(b, "bytea");
            case DATE -> b.equals("date") || b.equals("timestamp without time zone") ? Result.same()
                    : b.equals("timestamp with time zone") ? Result.lossy("timestamptz turns a date into an instant in the session time zone")
                    : otherFamily(b);
            case TIMESTAMP -> temporal(b, t.typmod(), "timestamp without time zone", "timestamp with time zone");
            case TIMESTAMPTZ -> temporal(b, t.typmod(), "timestamp with time zone", "timestamp without time zone");
            case TIME -> temporal(b, t.typmod(), "time without time zone", "time with time zone");
            case TIMETZ -> temporal(b, t.typmod(), "time with time zone", "time without time zone");
            case JSON -> json(source, b);
        };
    }

    private static Result text(Column source, Target t) {
        String b = t.baseType();
        String s = source.sqlType();
        if (t.kind() == 'e') {
            return s.equals("uuid") ? otherFamily(b) : Result.same(); // labels compare as text; unknown labels fail COPY loudly
        }
        if (s.equals("uuid")) {
            return b.equals("uuid") || b.equals("text") || b.equals("character varying") ? Result.same() : otherFamily(b);
        }
        switch (b) {
            case "text", "character varying" -> {
                return Result.same();
            }
            case "citext" -> {
                return Result.asText();
            }
            case "character" -> {
                if (s.startsWith("char(") && t.typmod() - 4 == Integer.parseInt(s.substring(5, s.length() - 1))) {
                    return Result.same();
                }
                return Result.lossy("character(n) pads values with spaces and ignores trailing spaces when comparing"
                        + (s.startsWith("char(") ? " (a different length pads differently)" : ""));
            }
            case "name" -> {
                return Result.lossy("name truncates values to 63 bytes");
            }
            case "uuid" -> {
                return Result.lossy("uuid rewrites the text (case, braces, hyphens) and refuses other text");
            }
            default -> {
                return otherFamily(b);
            }
        }
    }

    private static Result json(Column source, String b) {
        if (source.sqlType().equals("jsonb")) {
            return b.equals("jsonb") ? Result.same() : b.equals("json") ? Result.asText() : otherFamily(b);
        }
        // plain json keeps the text as written
        if (b.equals("json")) {
            return Result.asText();
        }
        if (b.equals("text")) {
            return Result.same();
        }
        return b.equals("jsonb") ? Result.lossy("jsonb drops duplicate keys, whitespace and key order that json keeps, "
                + "so a change in them would be reported and not applied") : otherFamily(b);
    }

    private static Result temporal(String b, int typmod, String same, String zoneSwapped) {
        if (b.equals(same)) {
            return typmod < 0 || typmod >= 6 ? Result.same()
                    : Result.lossy("it keeps " + typmod + " fractional digit" + (typmod == 1 ? "" : "s") + " of 6 (PostgreSQL would round)");
        }
        if (b.equals(zoneSwapped)) {
            return Result.lossy(b + " converts values through the session time zone");
        }
        return otherFamily(b);
    }

    private static Result only(String b, String expected) {
        return b.equals(expected) ? Result.same() : otherFamily(b);
    }

    private static Result otherFamily(String b) {
        return Result.lossy(b + " is another type family: values would be converted, stored or compared differently");
    }

    private static String kindName(char kind) {
        return switch (kind) {
            case 'c' -> "composite";
            case 'r' -> "range";
            case 'm' -> "multirange";
            case 'p' -> "pseudo";
            default -> "'" + kind + "'";
        };
    }

    /** The one-line refusal: column, both types, why, the statement that fixes it, and the opt-in. */
    public static String refusal(String table, TableName target, Column source, Target t, String reason) {
        String col = Identifiers.quote(source.name());
        return "table " + table + ": target column " + col + " " + t.declared() + " cannot hold every value of source column "
                + col + " " + source.sqlType() + " unchanged: " + reason + "; run ALTER TABLE " + target.quoted() + " ALTER COLUMN "
                + col + " TYPE " + source.sqlType() + ", or accept it with accept-lossy-columns: { " + source.name()
                + ": \"why\" } in the table's config";
    }
}
