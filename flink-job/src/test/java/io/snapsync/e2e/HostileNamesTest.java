package io.snapsync.e2e;

import static io.snapsync.e2e.PgPair.exec;
import static io.snapsync.e2e.PgPair.rows;
import static io.snapsync.e2e.PgPair.scalar;
import static io.snapsync.e2e.PgPair.update;
import static org.assertj.core.api.Assertions.assertThat;

import io.snapsync.config.SyncConfig;
import io.snapsync.run.SyncRunner;
import io.snapsync.run.TableReport;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Schema, table and column names that break naive SQL: they sync correctly and run nothing else. */
class HostileNamesTest extends EndToEndTestBase {
    static final String SCHEMA = "Sch\"ema; DROP";
    static final String TABLE = "Tab.le \"x\"; DROP TABLE canary; --";
    static final String TABLE_SQL = "\"Sch\"\"ema; DROP\".\"Tab.le \"\"x\"\"; DROP TABLE canary; --\"";

    @Test
    void hostileIdentifiersSyncAndInjectNothing() throws Exception {
        try (PgPair p = new PgPair(pg, pg, tmp)) {
            p.both("CREATE TABLE canary (x int)");
            p.both("CREATE SCHEMA \"Sch\"\"ema; DROP\"");
            p.both("CREATE TABLE " + TABLE_SQL + " (\"Key\"\"Id\" integer, \"select\" text, \"a.b\" text, \"ünï çødé 🚀\" numeric(10,2), "
                    + "\"MiXeD\" text, \"v'); DROP TABLE canary; --\" text, PRIMARY KEY (\"Key\"\"Id\", \"select\"))");
            exec(p.source, "INSERT INTO " + TABLE_SQL + " SELECT i, 'k' || (i % 3), 'dot ' || i, i / 4.0, 'M' || i, "
                    + "'''); DROP TABLE canary; --' || i FROM generate_series(1, 300) i");

            SyncConfig base = p.config("x", List.of("Key\"Id", "select"), 2);
            String quotedName = "\"Sch\"\"ema; DROP\".\"Tab.le \"\"x\"\"; DROP TABLE canary; --\"";
            SyncConfig config = new SyncConfig(base.source(), base.target(), base.cache(), base.job(),
                    List.of(new SyncConfig.Table("hostile \"name\" ü", quotedName, quotedName, List.of("Key\"Id", "select"),
                            null, null, null)));

            TableReport day1 = new SyncRunner(config).run(null).tables.get(0);
            assertThat(day1.status).as("error: %s", day1.error).isEqualTo("committed");
            String order = "\"Key\"\"Id\", \"select\"";
            assertThat(rows(p.target, TABLE_SQL, order)).isEqualTo(rows(p.source, TABLE_SQL, order)).hasSize(300);

            update(p.source, "UPDATE " + TABLE_SQL + " SET \"a.b\" = NULL WHERE \"Key\"\"Id\" % 10 = 0");
            update(p.source, "DELETE FROM " + TABLE_SQL + " WHERE \"Key\"\"Id\" % 30 = 1");
            TableReport day2 = new SyncRunner(config).run(null).tables.get(0);
            assertThat(day2.status).as("error: %s", day2.error).isEqualTo("committed");
            assertThat(new long[] {day2.inserted, day2.updated, day2.deleted}).containsExactly(0, 30, 10);
            assertThat(rows(p.target, TABLE_SQL, order)).isEqualTo(rows(p.source, TABLE_SQL, order));

            assertThat(scalar(p.target, "SELECT count(*) FROM pg_tables WHERE tablename = 'canary'")).isEqualTo(1);
            assertThat(scalar(p.source, "SELECT count(*) FROM pg_tables WHERE tablename = 'canary'")).isEqualTo(1);
        }
    }
}
