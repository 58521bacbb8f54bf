package io.snapsync.e2e;

import static io.snapsync.e2e.PgPair.exec;
import static io.snapsync.e2e.PgPair.rows;
import static io.snapsync.e2e.PgPair.scalar;
import static io.snapsync.e2e.PgPair.update;
import static org.assertj.core.api.Assertions.assertThat;

import io.snapsync.config.SyncConfig;
import io.snapsync.run.SyncRunner;
import io.snapsync.run.TableReport;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Schema changes of the source, one day after another, without a manual cache wipe: the target is
 * altered in the commit transaction and the old cache is re-hashed under the new schema, so only rows
 * whose values really changed are updated.
 */
class SchemaEvolutionTest extends EndToEndTestBase {

    private static SyncConfig config(PgPair p, String evolution, String dropped) {
        SyncConfig base = p.config("t", List.of("id"), 2);
        SyncConfig.Table t = base.tables().get(0);
        if (evolution != null) {
            t = t.with("schema-evolution", evolution);
        }
        if (dropped != null) {
            t = t.with("on-column-dropped", dropped);
        }
        return base.withTables(List.of(t));
    }

    private static TableReport run(SyncConfig c) {
        return new SyncRunner(c).run(null).tables.get(0);
    }

    private static void assertCounts(TableReport r, long inserted, long updated, long deleted) {
        assertThat(r.status).as("error: %s", r.error).isEqualTo("committed");
        assertThat(new long[] {r.inserted, r.updated, r.deleted}).containsExactly(inserted, updated, deleted);
    }

    /** The source's columns, in the source's order, from both sides: equal lists mean target == source. */
    private static List<String> rowsOf(java.sql.Connection c, String columns) throws Exception {
        return rows(c, "(SELECT " + columns + " FROM t)", "1");
    }

    private static String targetType(PgPair p, String column) throws Exception {
        try (Statement s = p.target.createStatement();
             ResultSet rs = s.executeQuery("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 't'::regclass "
                     + "AND attname = '" + column + "' AND NOT attisdropped")) {
            return rs.next() ? rs.getString(1) : null;
        }
    }


    @Test
    void addedDroppedAndWidenedColumnsUpdateOnlyRowsThatReallyChanged() throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp)) {
            exec(p.source, "CREATE TABLE t (id integer PRIMARY KEY, name varchar(10), qty integer, amount numeric(10,2), "
                    + "f real, note text, gone text NOT NULL DEFAULT 'x', ts timestamptz, tt timetz, d date)");
            exec(p.source, "INSERT INTO t SELECT i, 'n' || i, i, i * 1.25, i / 3.0, 'note ' || i, 'g', "
                    + "TIMESTAMPTZ '2020-01-01 00:00+00' + i * INTERVAL '1 hour', TIMETZ '12:34:56.789+05:30', DATE '2020-01-01' + i "
                    + "FROM generate_series(1, 1000) i");
            SyncConfig auto = config(p, "auto", null);
            assertCounts(run(auto), 1000, 0, 0); // the target is created from the source schema

            // (a) a column added that is NULL everywhere changes no row
            exec(p.source, "ALTER TABLE t ADD COLUMN extra text");
            TableReport a = run(auto);
            assertCounts(a, 0, 0, 0);
            assertThat(a.schemaDdl).containsExactly("ALTER TABLE \"public\".\"t\" ADD COLUMN \"extra\" text");
            assertThat(targetType(p, "extra")).isEqualTo("text");

            // (b) a column added and filled for some rows updates exactly those rows
            exec(p.source, "ALTER TABLE t ADD COLUMN score integer");
            long filled = update(p.source, "UPDATE t SET score = id WHERE id % 27 = 0");
            assertCounts(run(auto), 0, filled, 0);
            String all = "id, name, qty, amount, f, note, gone, ts, tt, d, extra, score";
            assertThat(rowsOf(p.target, all)).isEqualTo(rowsOf(p.source, all));

            // (c) a column dropped (keep, the default): the target keeps it and its values, no row changes
            exec(p.source, "ALTER TABLE t DROP COLUMN note");
            TableReport c = run(auto);
            assertCounts(c, 0, 0, 0);
            assertThat(c.schemaChange).isEqualTo("dropped \"note\"");
            assertThat(scalar(p.target, "SELECT count(*) FROM t WHERE note LIKE 'note %'")).isEqualTo(1000);
            exec(p.source, "INSERT INTO t (id, name, gone) VALUES (5000, 'new', 'x')");
            assertCounts(run(auto), 1, 0, 0);
            assertThat(scalar(p.target, "SELECT count(*) FROM t WHERE id = 5000 AND note IS NULL")).isEqualTo(1);

            // (d) on-column-dropped: drop; and a kept NOT NULL column without default is refused with the statement
            exec(p.target, "ALTER TABLE t ALTER COLUMN gone DROP DEFAULT");
            exec(p.source, "ALTER TABLE t DROP COLUMN gone");
            TableReport refused = run(auto);
            assertThat(refused.status).isEqualTo("failed");
            assertThat(refused.error).contains("run ALTER TABLE \"public\".\"t\" ALTER COLUMN \"gone\" DROP NOT NULL, or set on-column-dropped: drop");
            assertCounts(run(config(p, "auto", "drop")), 0, 0, 0);
            assertThat(targetType(p, "gone")).isNull();

            // (e) widened types: the target is altered, no row changes, and wider values then fit
            exec(p.source, "ALTER TABLE t ALTER COLUMN name TYPE varchar(40), ALTER COLUMN qty TYPE bigint, "
                    + "ALTER COLUMN amount TYPE numeric(14,4), ALTER COLUMN f TYPE double precision");
            TableReport e = run(auto);
            assertCounts(e, 0, 0, 0);
            assertThat(List.of(targetType(p, "name"), targetType(p, "qty"), targetType(p, "amount"), targetType(p, "f")))
                    .containsExactly("character varying(40)", "bigint", "numeric(14,4)", "double precision");
            update(p.source, "UPDATE t SET name = 'a much longer name', qty = 9000000000, amount = 1234567890.1234 WHERE id = 1");
            assertCounts(run(auto), 0, 1, 0);
            String now = "id, name, qty, amount, f, ts, tt, d, extra, score";
            assertThat(rowsOf(p.target, now)).isEqualTo(rowsOf(p.source, now));

            // (f) a NOT NULL column becomes nullable: only the target's NOT NULL is dropped, and NULLs then arrive
            exec(p.source, "ALTER TABLE t ADD COLUMN code text NOT NULL DEFAULT 'c'");
            assertCounts(run(auto), 0, 1001, 0);
            assertThat(scalar(p.target, "SELECT count(*) FROM pg_attribute WHERE attrelid = 't'::regclass AND attname = 'code' "
                    + "AND attnotnull")).as("NOT NULL column created as nullable, as every added column").isZero();
            exec(p.target, "ALTER TABLE t ALTER COLUMN code SET NOT NULL");
            exec(p.source, "ALTER TABLE t ALTER COLUMN code DROP NOT NULL");
            exec(p.source, "UPDATE t SET code = NULL WHERE id = 2");
            TableReport f = run(auto);
            assertCounts(f, 0, 1, 0);
            assertThat(f.schemaDdl).containsExactly("ALTER TABLE \"public\".\"t\" ALTER COLUMN \"code\" DROP NOT NULL");
            assertThat(rowsOf(p.target, now + ", code")).isEqualTo(rowsOf(p.source, now + ", code"));
        }
    }

    @Test
    void byDefaultASchemaChangeFailsWithTheStatementsToRunAndTouchesNothing() throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp)) {
            exec(p.source, "CREATE TABLE t (id integer PRIMARY KEY, name varchar(10))");
            exec(p.source, "INSERT INTO t SELECT i, 'n' || i FROM generate_series(1, 200) i");
            SyncConfig fail = config(p, null, null);
            assertCounts(run(fail), 200, 0, 0);
            List<String> before = rows(p.target, "t", "id");
            List<String> cache = PgPair.manifests(p.cache);

            exec(p.source, "ALTER TABLE t ADD COLUMN price numeric(8,2), ALTER COLUMN name TYPE varchar(20)");
            exec(p.source, "UPDATE t SET price = 9.99 WHERE id <= 5");
            TableReport r = run(fail);
            assertThat(r.status).isEqualTo("failed");
            assertThat(r.error).contains("the source schema of t changed since cache version")
                    .contains("added \"price\" numeric(8,2), widened \"name\" to varchar(20)")
                    .contains("the target needs: ALTER TABLE \"public\".\"t\" ADD COLUMN \"price\" numeric(8,2); "
                            + "ALTER TABLE \"public\".\"t\" ALTER COLUMN \"name\" TYPE varchar(20)")
                    .endsWith("(set schema-evolution: auto to apply this)");
            assertThat(rows(p.target, "t", "id")).isEqualTo(before);
            assertThat(targetType(p, "price")).isNull();
            assertThat(PgPair.manifests(p.cache)).isEqualTo(cache);

            // incompatible: never in place
            exec(p.source, "ALTER TABLE t ALTER COLUMN name TYPE integer USING length(name)");
            TableReport inc = run(config(p, "auto", null));
            assertThat(inc.status).isEqualTo("failed");
            assertThat(inc.error).contains("column \"name\" changed from varchar(10) to integer")
                    .contains("cannot be applied in place: run `snapsync resync`");
            exec(p.source, "ALTER TABLE t ALTER COLUMN name TYPE varchar(20) USING name::text");

            TableReport ok = run(config(p, "auto", null));
            assertCounts(ok, 0, 200, 0); // every name changed (to its length); price set on 5 of them
            List<String> cols = new ArrayList<>(List.of("id", "name", "price"));
            assertThat(rowsOf(p.target, String.join(", ", cols))).isEqualTo(rowsOf(p.source, String.join(", ", cols)));
        }
    }
}
