package io.snapsync.schema;

import static org.assertj.core.api.Assertions.assertThat;

import io.snapsync.schema.TargetCompatibility.Verdict;
import java.sql.Types;
import org.junit.jupiter.api.Test;

class TargetCompatibilityTest {
    private static Column src(int jdbc, String name, int precision, int scale) {
        return TypeMapping.map("c", jdbc, name, precision, scale, true);
    }

    private static TargetCompatibility.Target tgt(String base, int typmod) {
        return new TargetCompatibility.Target("c", base, base, typmod, 'b', false);
    }

    private static Verdict v(Column s, String base, int typmod) {
        return TargetCompatibility.check(s, tgt(base, typmod)).verdict();
    }

    @Test
    void temporalPrecisionAndZones() {
        Column ts = src(Types.TIMESTAMP, "timestamp", 29, 6);
        assertThat(v(ts, "timestamp without time zone", -1)).isEqualTo(Verdict.SAME);
        assertThat(v(ts, "timestamp without time zone", 6)).isEqualTo(Verdict.SAME);
        assertThat(v(ts, "timestamp without time zone", 0)).isEqualTo(Verdict.LOSSY);
        assertThat(TargetCompatibility.check(ts, tgt("timestamp without time zone", 3)).reason()).contains("keeps 3 fractional digits of 6");
        assertThat(v(ts, "timestamp with time zone", -1)).isEqualTo(Verdict.LOSSY);
        Column tz = src(Types.TIMESTAMP_WITH_TIMEZONE, "timestamptz", 35, 6);
        assertThat(v(tz, "timestamp with time zone", -1)).isEqualTo(Verdict.SAME);
        assertThat(v(tz, "timestamp with time zone", 2)).isEqualTo(Verdict.LOSSY);
        assertThat(v(tz, "timestamp without time zone", -1)).isEqualTo(Verdict.LOSSY);
        assertThat(v(src(Types.TIME, "time", 15, 6), "time without time zone", 0)).isEqualTo(Verdict.LOSSY);
        assertThat(v(src(Types.TIME, "time", 15, 6), "time with time zone", -1)).isEqualTo(Verdict.LOSSY);
        assertThat(v(src(Types.TIME_WITH_TIMEZONE, "timetz", 21, 6), "time with time zone", 2)).isEqualTo(Verdict.LOSSY);
        assertThat(v(src(Types.TIME_WITH_TIMEZONE, "timetz", 21, 6), "time with time zone", -1)).isEqualTo(Verdict.SAME);
        assertThat(v(src(Types.DATE, "date", 13, 0), "timestamp without time zone", -1)).isEqualTo(Verdict.SAME);
        assertThat(v(src(Types.DATE, "date", 13, 0), "timestamp with time zone", -1)).isEqualTo(Verdict.LOSSY);
        assertThat(v(src(Types.DATE, "date", 13, 0), "text", -1)).isEqualTo(Verdict.LOSSY);
    }

    @Test
    void numbers() {
        Column f8 = src(Types.DOUBLE, "float8", 17, 17);
        Column f4 = src(Types.REAL, "float4", 8, 8);
        assertThat(v(f8, "double precision", -1)).isEqualTo(Verdict.SAME);
        assertThat(v(f8, "real", -1)).isEqualTo(Verdict.LOSSY);
        assertThat(v(f4, "real", -1)).isEqualTo(Verdict.SAME);
        assertThat(v(f4, "double precision", -1)).isEqualTo(Verdict.SAME);
        assertThat(v(f8, "numeric", -1)).isEqualTo(Verdict.LOSSY);
        Column dec = src(Types.NUMERIC, "numeric", 10, 2);
        assertThat(v(dec, "numeric", -1)).isEqualTo(Verdict.SAME); // digits are checked per value
        assertThat(v(dec, "integer", -1)).isEqualTo(Verdict.LOSSY);
        assertThat(v(dec, "double precision", -1)).isEqualTo(Verdict.LOSSY);
        Column i8 = src(Types.BIGINT, "int8", 19, 0);
        assertThat(v(i8, "smallint", -1)).isEqualTo(Verdict.SAME); // range checked per value
        assertThat(v(i8, "numeric", -1)).isEqualTo(Verdict.SAME);
        assertThat(v(i8, "double precision", -1)).isEqualTo(Verdict.LOSSY);
        assertThat(v(src(Types.BIT, "bool", 1, 0), "integer", -1)).isEqualTo(Verdict.LOSSY);
    }

    @Test
    void textLikeTypes() {
        Column text = src(Types.VARCHAR, "text", 0, 0);
        Column char5 = src(Types.CHAR, "bpchar", 5, 0);
        assertThat(v(text, "character varying", 14)).isEqualTo(Verdict.SAME); // length checked per value
        assertThat(v(text, "citext", -1)).isEqualTo(Verdict.AS_TEXT);
        assertThat(v(text, "character", 9)).isEqualTo(Verdict.LOSSY);
        assertThat(v(text, "name", -1)).isEqualTo(Verdict.LOSSY);
        assertThat(v(text, "uuid", -1)).isEqualTo(Verdict.LOSSY);
        assertThat(v(text, "bytea", -1)).isEqualTo(Verdict.LOSSY);
        assertThat(v(char5, "character", 9)).isEqualTo(Verdict.SAME);
        assertThat(v(char5, "character", 10)).isEqualTo(Verdict.LOSSY);
        assertThat(v(char5, "text", -1)).isEqualTo(Verdict.SAME);
        assertThat(TargetCompatibility.check(text, new TargetCompatibility.Target("c", "mood", "mood", -1, 'e', false)).verdict())
                .isEqualTo(Verdict.SAME);
        Column uuid = src(Types.OTHER, "uuid", 0, 0);
        assertThat(v(uuid, "uuid", -1)).isEqualTo(Verdict.SAME);
        assertThat(v(uuid, "text", -1)).isEqualTo(Verdict.SAME);
        assertThat(v(uuid, "bytea", -1)).isEqualTo(Verdict.LOSSY);
    }

    @Test
    void jsonBytesAndOtherKinds() {
        Column jsonb = src(Types.OTHER, "jsonb", 0, 0);
        Column json = src(Types.OTHER, "json", 0, 0);
        assertThat(v(jsonb, "jsonb", -1)).isEqualTo(Verdict.SAME);
        assertThat(v(jsonb, "json", -1)).isEqualTo(Verdict.AS_TEXT);
        assertThat(v(jsonb, "text", -1)).isEqualTo(Verdict.LOSSY);
        assertThat(v(json, "json", -1)).isEqualTo(Verdict.AS_TEXT);
        assertThat(v(json, "jsonb", -1)).isEqualTo(Verdict.LOSSY);
        assertThat(TargetCompatibility.check(json, tgt("jsonb", -1)).reason()).contains("duplicate keys");
        assertThat(v(src(Types.BINARY, "bytea", 0, 0), "bytea", -1)).isEqualTo(Verdict.SAME);
        assertThat(v(src(Types.BINARY, "bytea", 0, 0), "text", -1)).isEqualTo(Verdict.LOSSY);
        Column i4 = src(Types.INTEGER, "int4", 10, 0);
        assertThat(TargetCompatibility.check(i4, new TargetCompatibility.Target("c", "integer[]", "integer[]", -1, 'b', true)).verdict())
                .isEqualTo(Verdict.LOSSY);
        assertThat(TargetCompatibility.check(i4, new TargetCompatibility.Target("c", "int4range", "int4range", -1, 'r', false)).verdict())
                .isEqualTo(Verdict.LOSSY);
        assertThat(TargetCompatibility.check(i4, new TargetCompatibility.Target("c", "pair", "pair", -1, 'c', false)).verdict())
                .isEqualTo(Verdict.LOSSY);
        assertThat(TargetCompatibility.check(i4, new TargetCompatibility.Target("c", "d2", "d1", -1, 'd', false)).verdict())
                .isEqualTo(Verdict.LOSSY);
    }

    @Test
    void theRefusalNamesColumnTypesAndTheFix() {
        Column ts = src(Types.TIMESTAMP, "timestamp", 29, 6);
        var t = new TargetCompatibility.Target("c", "ts0", "timestamp without time zone", 0, 'b', false);
        assertThat(TargetCompatibility.refusal("items", TableName.parse("app.items"), ts, t, "why"))
                .isEqualTo("table items: target column \"c\" ts0 cannot hold every value of source column \"c\" timestamp unchanged: why; "
                        + "run ALTER TABLE \"app\".\"items\" ALTER COLUMN \"c\" TYPE timestamp, or accept it with "
                        + "accept-lossy-columns: { c: \"why\" } in the table's config");
    }

    @Test
    void aNondeterministicCollationIsLossy() {
        Column text = src(Types.VARCHAR, "text", 0, 0);
        assertThat(TargetCompatibility.check(text, new TargetCompatibility.Target("c", "text", "text", -1, 'b', false, false)).verdict())
                .isEqualTo(Verdict.LOSSY);
        assertThat(TargetCompatibility.check(text, new TargetCompatibility.Target("c", "text", "text", -1, 'b', false, true)).verdict())
                .isEqualTo(Verdict.SAME);
    }
}
