package io.snapsync.e2e;

import static io.snapsync.e2e.PgPair.exec;
import static io.snapsync.e2e.PgPair.rows;
import static io.snapsync.e2e.PgPair.scalar;
import static org.assertj.core.api.Assertions.assertThat;

import io.snapsync.config.SyncConfig;
import io.snapsync.run.SyncRunner;
import io.snapsync.run.TableReport;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each Redshift type through the whole path (source -> hash -> cache -> staging -> target) with its
 * extreme values and NULL, using its PostgreSQL stand-in: the created target column has the promised
 * type; day 2 (values to and from NULL, between extremes, a delete, an insert) reports exactly the
 * changed rows; day 3 without changes reports none, which proves the cache round trip re-hashes equal.
 */
class TypesEndToEndTest extends EndToEndTestBase {

    static Stream<Arguments> types() {
        return Stream.of(
                Arguments.of("SMALLINT", "smallint", "smallint", "-32768, 32767, 0"),
                Arguments.of("INTEGER", "integer", "integer", "-2147483648, 2147483647, 1"),
                Arguments.of("BIGINT", "bigint", "bigint", "-9223372036854775808, 9223372036854775807, 0"),
                Arguments.of("DECIMAL(38,0)", "numeric(38,0)", "numeric(38,0)",
                        "99999999999999999999999999999999999999, -99999999999999999999999999999999999999, 0"),
                Arguments.of("DECIMAL(38,38)", "numeric(38,38)", "numeric(38,38)",
                        "0.99999999999999999999999999999999999999, -0.00000000000000000000000000000000000001, 0"),
                Arguments.of("NUMERIC(20,5)", "numeric(20,5)", "numeric(20,5)", "123456789012345.12345, -0.00001, 1.10000"),
                Arguments.of("NUMERIC", "numeric", "numeric", "'1e-100', '-123456789012345678901234567890.5', 0"),
                Arguments.of("REAL", "real", "real", "'NaN', 'Infinity', '-Infinity', 3.4028235e38, 1.4e-45, 0.1"),
                Arguments.of("DOUBLE PRECISION", "double precision", "double precision",
                        "'NaN', 'Infinity', '-Infinity', 1.7976931348623157e308, 4.9e-324, 0.1"),
                Arguments.of("BOOLEAN", "boolean", "boolean", "true, false"),
                Arguments.of("CHAR(5)", "char(5)", "character(5)", "'a', '', 'abcde', 'é'"),
                Arguments.of("VARCHAR(5)", "varchar(5)", "character varying(5)", "'abcde', 'ééééé', '😀😀😀😀😀', ''"),
                Arguments.of("TEXT", "text", "text", "'', ' ', 'non-BMP 𝄞 🚀', 'e' || chr(769), repeat('long ', 5000), E'tab\\tnl\\n\\\\N'"),
                Arguments.of("DATE", "date", "date", "'4713-01-01 BC', '5874897-12-31', 'infinity', '-infinity', '2000-02-29'"),
                Arguments.of("TIMESTAMP", "timestamp", "timestamp without time zone",
                        "'4713-01-01 00:00:00 BC', '294276-12-31 23:59:59.999999', 'infinity', '-infinity', '1970-01-01 00:00:00.000001'"),
                Arguments.of("TIMESTAMPTZ", "timestamptz", "timestamp with time zone",
                        "'4713-01-01 00:00:00+00 BC', '294276-12-30 23:59:59.999999+00', 'infinity', '2020-03-29 02:30:00+02'"),
                Arguments.of("TIME", "time", "time without time zone", "'00:00:00', '23:59:59.999999', '24:00:00'"),
                Arguments.of("TIMETZ", "timetz", "time with time zone", "'00:00:00+15:59', '24:00:00-15:59', '12:00:00.5+05:30'"),
                Arguments.of("SUPER (jsonb)", "jsonb", "jsonb",
                        "'{\"a\": [1, 2, {\"b\": null}], \"u\": \"𝄞\"}', '12345678901234567890123456789.5', '\"s\"', 'null', '[]'"),
                Arguments.of("VARBYTE (bytea)", "bytea", "bytea", "(SELECT string_agg(set_byte('\\x00'::bytea, 0, b), '') FROM generate_series(0, 255) b), '\\x'::bytea, '\\x00'::bytea"),
                Arguments.of("JSON", "json", "json", "'{\"b\": 1,  \"a\": 2}', '[1,2]'"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("types")
    void syncsExtremesAndNullFaithfully(String redshiftType, String pgType, String created, String values) throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp)) {
            exec(p.source, "CREATE TABLE t (id integer PRIMARY KEY, v " + pgType + ")");
            exec(p.source, "INSERT INTO t SELECT ordinality, v FROM unnest(ARRAY[" + values + "]::" + pgType + "[]) WITH ORDINALITY v");
            exec(p.source, "INSERT INTO t SELECT i, NULL FROM generate_series((SELECT max(id) + 1 FROM t), 6) i");
            SyncConfig config = p.config("t", java.util.List.of("id"), 2);
            TableReport day1 = new SyncRunner(config).run(null).tables.get(0);
            assertThat(day1.status).as("error: %s", day1.error).isEqualTo("committed");
            assertThat(targetType(p)).isEqualTo(created);
            assertThat(rows(p.target, "t", "id")).isEqualTo(rows(p.source, "t", "id"));

            exec(p.source, "CREATE TABLE before AS SELECT * FROM t");
            exec(p.source, "UPDATE t SET v = NULL WHERE id = 1");
            exec(p.source, "UPDATE t SET v = (SELECT v FROM before WHERE id = 1) WHERE id = 6");
            exec(p.source, "UPDATE t SET v = (SELECT v FROM before WHERE id = 3) WHERE id = 2");
            exec(p.source, "DELETE FROM t WHERE id = 4");
            exec(p.source, "INSERT INTO t SELECT 100, v FROM before WHERE id = 5");
            long updated = scalar(p.source, "SELECT count(*) FROM t JOIN before b USING (id) WHERE t.v::text IS DISTINCT FROM b.v::text");
            TableReport day2 = new SyncRunner(config).run(null).tables.get(0);
            assertThat(day2.status).as("error: %s", day2.error).isEqualTo("committed");
            assertThat(new long[] {day2.inserted, day2.updated, day2.deleted}).containsExactly(1, updated, 1);
            assertThat(rows(p.target, "t", "id")).isEqualTo(rows(p.source, "t", "id"));

            TableReport day3 = new SyncRunner(config).run(null).tables.get(0);
            assertThat(new long[] {day3.inserted, day3.updated, day3.deleted}).containsExactly(0, 0, 0);
        }
    }

    private static String targetType(PgPair p) throws Exception {
        try (Statement s = p.target.createStatement();
             ResultSet rs = s.executeQuery("SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
                     + "WHERE attrelid = 'public.t'::regclass AND attname = 'v'")) {
            rs.next();
            return rs.getString(1);
        }
    }
}
