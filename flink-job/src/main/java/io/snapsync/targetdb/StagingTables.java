package io.snapsync.targetdb;

import static io.snapsync.schema.Identifiers.quote;
import static io.snapsync.schema.Identifiers.quoteAll;

import io.snapsync.schema.Column;
import io.snapsync.schema.TableName;
import io.snapsync.schema.TableSchema;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/** This run's UNLOGGED staging tables: typed like the target's columns, plus the writer's part/attempt. */
public final class StagingTables {
    public static final String PREFIX = "snapsync_stg_";
    /** The writer's subtask and attempt: the committer applies only the attempts that reported a result. */
    public static final String PART_COLUMN = "__snapsync_part";
    public static final String ATTEMPT_COLUMN = "__snapsync_attempt";
    /** The row's position in its attempt's output (0, 1, ...): lets the committer apply a change set in chunks. */
    public static final String SEQ_COLUMN = "__snapsync_seq";

    private StagingTables() {}

    /**
     * {@code snapsync_stg_<table>_<hash of the exact table name>_<run id>_<kind>}, the table part shortened
     * to stay within 63 bytes. The hash keeps tables apart whose names sanitise or shorten alike ("T" and
     * "t", or "t" and "t_x", whose prefix would otherwise match), so a run never cleans another's tables.
     */
    public static String name(String table, String runId, String kind) {
        return prefix(table) + runId.toLowerCase().replaceAll("[^a-z0-9]", "") + "_" + kind;
    }

    /** What every staging table of {@code table} starts with, and no other table's does. */
    /** Every staging table of {@code table} in {@code schema}, of any run, by name. */
    public static List<String> ofTable(Connection c, String schema, String table) throws SQLException {
        return TargetCatalog.tablesStartingWith(c, schema, prefix(table));
    }

    public static String prefix(String table) {
        String suffix = "_" + String.format("%08x", table.hashCode()) + "_";
        String t = table.toLowerCase().replaceAll("[^a-z0-9_]", "_");
        int room = 63 - PREFIX.length() - suffix.length() - RUN_AND_KIND;
        while (t.getBytes(StandardCharsets.UTF_8).length > room) {
            t = t.substring(0, t.length() - 1);
        }
        return PREFIX + t + suffix;
    }

    /** Bytes a run id (lower-cased, 22 alphanumerics) and "_u" take. */
    private static final int RUN_AND_KIND = 24;

    /** A run's two staging tables of one table: upserts ({@code _u}, every column) and deletes ({@code _d}, the key). */
    public record Pair(TableName upserts, TableName deletes) implements java.io.Serializable {
        public static Pair of(String schema, String table, String runId) {
            return new Pair(new TableName(schema, name(table, runId, "u")), new TableName(schema, name(table, runId, "d")));
        }

        /** Creates both (and their schema), typed like {@code from}'s columns; see {@link StagingTables#create}. */
        public void create(Connection c, TableName from, TableSchema schema, List<String> sourceTyped) throws SQLException {
            StagingTables.create(c, upserts.schema(), from, upserts, schema.columns(), sourceTyped);
            StagingTables.create(c, deletes.schema(), from, deletes, schema.keyColumnList(), sourceTyped);
        }
    }

    /**
     * @param sourceTyped columns typed from the source instead of the target: those the commit adds to
     *     the target or widens (their target type is not yet what the new rows need)
     */
    private static void create(Connection c, String schema, TableName target, TableName staging, List<Column> columns,
                       List<String> sourceTyped) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA IF NOT EXISTS " + quote(schema));
            List<String> fromTarget = columns.stream().map(Column::name).filter(n -> !sourceTyped.contains(n)).toList();
            // CTAS ... WITH NO DATA copies the target's exact column types (domains, lengths, precision)
            s.execute("CREATE UNLOGGED TABLE " + staging.quoted() + " AS SELECT " + quoteAll(fromTarget) + " FROM "
                    + target.quoted() + " WITH NO DATA");
            StringBuilder alter = new StringBuilder("ALTER TABLE ").append(staging.quoted());
            for (Column col : columns) {
                if (sourceTyped.contains(col.name())) {
                    alter.append(" ADD COLUMN ").append(quote(col.name())).append(' ').append(col.sqlType()).append(',');
                }
            }
            // int, int, bigint: a binary COPY writes them as int4, int4, int8 (sink.StagingWriter)
            alter.append(" ADD COLUMN ").append(quote(PART_COLUMN)).append(" int NOT NULL, ADD COLUMN ")
                    .append(quote(ATTEMPT_COLUMN)).append(" int NOT NULL, ADD COLUMN ")
                    .append(quote(SEQ_COLUMN)).append(" bigint NOT NULL");
            s.execute(alter.toString());
            c.commit();
        } catch (SQLException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }

    /** Before a chunked apply: each chunk reads one attempt's rows by position. */
    public static void indexForChunks(Connection c, TableName staging) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE INDEX ON " + staging.quoted() + " (" + quote(PART_COLUMN) + ", "
                    + quote(ATTEMPT_COLUMN) + ", " + quote(SEQ_COLUMN) + ")");
        }
    }

    public static void drop(Connection c, TableName... tables) throws SQLException {
        try (Statement s = c.createStatement()) {
            for (TableName t : tables) {
                s.execute("DROP TABLE IF EXISTS " + t.quoted());
            }
        }
    }
}
