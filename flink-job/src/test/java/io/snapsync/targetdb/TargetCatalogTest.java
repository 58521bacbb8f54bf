package io.snapsync.targetdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.snapsync.embedded.EmbeddedPostgres;
import io.snapsync.schema.Column;
import io.snapsync.schema.TableName;
import io.snapsync.schema.TableSchema;
import io.snapsync.schema.TargetColumn;
import io.snapsync.schema.TargetCompatibility;
import io.snapsync.schema.TypeMapping;
import java.sql.Connection;
import java.sql.Statement;
import java.sql.Types;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The catalog reads against a real PostgreSQL 17, with a name that needs quoting everywhere. */
class TargetCatalogTest {
    static EmbeddedPostgres pg;
    static Connection c;
    static final TableName ODD = new TableName("Odd \"s\".x", "t.\"1\"");

    @BeforeAll
    static void start() throws Exception {
        pg = EmbeddedPostgres.start();
        c = pg.getConnection("postgres");
        try (Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + io.snapsync.schema.Identifiers.quote(ODD.schema()));
            s.execute("CREATE DOMAIN short_text AS varchar(5) NOT NULL");
            s.execute("CREATE TABLE " + ODD.quoted() + " (id int PRIMARY KEY, code short_text, n numeric(10,2) DEFAULT 0, "
                    + "must int NOT NULL, maybe int, gone int, UNIQUE (code, maybe))");
            s.execute("CREATE UNIQUE INDEX partial_not_a_key ON " + ODD.quoted() + " (maybe) WHERE maybe > 0");
            s.execute("ALTER TABLE " + ODD.quoted() + " DROP COLUMN gone");
            s.execute("CREATE TABLE public.pre_a (x int)");
            s.execute("CREATE TABLE public.pre_b (x int)");
            s.execute("CREATE TABLE public.prexa (x int)");
        }
    }

    @AfterAll
    static void stop() throws Exception {
        c.close();
        pg.close();
    }

    @Test
    void existenceOfQuotedNamesAndOfMissingOnes() throws Exception {
        assertThat(TargetCatalog.exists(c, ODD)).isTrue();
        assertThat(TargetCatalog.exists(c, new TableName(ODD.schema(), "t"))).isFalse();
        assertThat(TargetCatalog.exists(c, new TableName("no_such_schema", "t"))).isFalse();
        assertThat(TargetCatalog.exists(c, new TableName("public", "x'); DROP TABLE public.pre_a; --"))).isFalse();
        assertThat(TargetCatalog.exists(c, new TableName("public", "pre_a"))).isTrue();
    }

    @Test
    void columnsTheirTypesAndLimitsWithoutDroppedOnes() throws Exception {
        // in no particular order: the queries have no ORDER BY, their callers look columns up by name
        assertThat(TargetCatalog.columnTypes(c, ODD)).containsOnly(Map.entry("id", "integer"), Map.entry("code", "short_text"),
                Map.entry("n", "numeric"), Map.entry("must", "integer"), Map.entry("maybe", "integer"));
        assertThat(TargetCatalog.columnTypes(c, new TableName("public", "nope"))).isEmpty();

        Map<String, TargetColumn> limits = TargetCatalog.columnLimits(c, ODD).stream()
                .collect(Collectors.toMap(TargetColumn::name, t -> t));
        assertThat(limits).containsOnlyKeys("id", "code", "n", "must", "maybe");
        TargetColumn code = limits.get("code");
        assertThat(code.baseType()).isEqualTo("character varying"); // the domain's base type
        assertThat(code.length()).isEqualTo(5);
        assertThat(code.notNull()).isTrue(); // NOT NULL from the domain
        assertThat(limits.get("n").precision()).isEqualTo(10);
        assertThat(limits.get("n").scale()).isEqualTo(2);
        assertThat(limits.get("maybe").notNull()).isFalse();

        Map<String, TargetCompatibility.Target> compat = TargetCatalog.compatibilityColumns(c, ODD).stream()
                .collect(Collectors.toMap(TargetCompatibility.Target::name, t -> t));
        assertThat(compat).containsOnlyKeys("id", "code", "n", "must", "maybe");
        assertThat(compat.get("code").declared()).isEqualTo("short_text");
        assertThat(compat.get("code").baseType()).isEqualTo("character varying");
        assertThat(compat.get("code").kind()).isEqualTo('b');
        assertThat(compat.get("n").declared()).isEqualTo("numeric(10,2)");
    }

    @Test
    void uniqueKeysInKeyOrderWithoutPartialIndexes() throws Exception {
        assertThat(TargetCatalog.uniqueKeys(c, ODD)).containsExactlyInAnyOrder(List.of("id"), List.of("code", "maybe"));
        assertThat(TargetCatalog.uniqueKeys(c, new TableName("public", "pre_a"))).isEmpty();
    }

    @Test
    void notNullWithoutDefault() throws Exception {
        assertThat(TargetCatalog.notNullWithoutDefault(c, ODD, "must")).isTrue();
        assertThat(TargetCatalog.notNullWithoutDefault(c, ODD, "n")).isFalse(); // has a default
        assertThat(TargetCatalog.notNullWithoutDefault(c, ODD, "maybe")).isFalse();
        assertThat(TargetCatalog.notNullWithoutDefault(c, ODD, "gone")).isFalse(); // dropped
        assertThat(TargetCatalog.notNullWithoutDefault(c, ODD, "nope")).isFalse();
    }

    @Test
    void tablesByPrefixTakeThePrefixLiterally() throws Exception {
        assertThat(TargetCatalog.tablesStartingWith(c, "public", "pre_")).containsExactly("pre_a", "pre_b"); // not prexa: no LIKE
        assertThat(TargetCatalog.tablesStartingWith(c, "other", "pre_")).isEmpty();
    }

    @Test
    void serverVersionAndDialect() throws Exception {
        int v = TargetCatalog.serverVersion(c);
        assertThat(v).isBetween(170000, 179999);
        assertThat(TargetCatalog.dialect(c)).isEqualTo(TargetDialect.MERGE);
        assertThat(TargetDialect.of(150000)).isEqualTo(TargetDialect.MERGE);
        assertThat(TargetDialect.of(140019)).isEqualTo(TargetDialect.ON_CONFLICT);
    }

    @Test
    void createTableSqlWithAndWithoutPrimaryKeyRuns() throws Exception {
        Column id = TypeMapping.map("id", Types.INTEGER, "int4", 10, 0, true);
        Column v = TypeMapping.map("Odd \"v\"", Types.VARCHAR, "varchar", 20, 0, true);
        TableSchema schema = new TableSchema(List.of(id, v), List.of("id"));
        TableName withKey = new TableName("public", "created_with_key");
        TableName shadow = new TableName("public", "created_shadow");
        String sql = TargetCatalog.createTableSql(withKey, schema, true);
        assertThat(sql).isEqualTo("CREATE TABLE \"public\".\"created_with_key\" (\"id\" " + id.sqlType() + " NOT NULL, \"Odd \"\"v\"\"\" "
                + v.sqlType() + ", PRIMARY KEY (\"id\"))");
        try (Statement s = c.createStatement()) {
            s.execute(sql);
            s.execute(TargetCatalog.createTableSql(shadow, schema, false));
        }
        assertThat(TargetCatalog.uniqueKeys(c, withKey)).containsExactly(List.of("id"));
        assertThat(TargetCatalog.uniqueKeys(c, shadow)).isEmpty();
        assertThat(TargetCatalog.notNullWithoutDefault(c, shadow, "id")).isTrue();
    }
}
