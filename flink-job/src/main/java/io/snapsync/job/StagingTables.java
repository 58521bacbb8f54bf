package io.snapsync.job;

import static io.snapsync.schema.Identifiers.quote;
import static io.snapsync.schema.Identifiers.quoteAll;

import io.snapsync.schema.TableName;
import io.snapsync.sink.StagingWriter;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/** This run's UNLOGGED staging tables: typed like the target's columns, plus the writer's part/attempt. */
public final class StagingTables {
    public static final String PREFIX = "snapsync_stg_";

    private StagingTables() {}

    /** {@code snapsync_stg_<table>_<run id>_<kind>}, the table part shortened to stay within 63 bytes. */
    public static String name(String table, String runId, String kind) {
        String suffix = "_" + runId.toLowerCase().replaceAll("[^a-z0-9]", "") + "_" + kind;
        String t = table.toLowerCase().replaceAll("[^a-z0-9_]", "_");
        int room = 63 - PREFIX.length() - suffix.length();
        while (t.getBytes(StandardCharsets.UTF_8).length > room) {
            t = t.substring(0, t.length() - 1);
        }
        return PREFIX + t + suffix;
    }

    static void create(Connection c, String schema, TableName target, TableName staging, List<String> columns) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA IF NOT EXISTS " + quote(schema));
            // CTAS ... WITH NO DATA copies the target's exact column types (domains, lengths, precision)
            s.execute("CREATE UNLOGGED TABLE " + staging.quoted() + " AS SELECT " + quoteAll(columns) + " FROM "
                    + target.quoted() + " WITH NO DATA");
            s.execute("ALTER TABLE " + staging.quoted() + " ADD COLUMN " + quote(StagingWriter.PART_COLUMN)
                    + " int NOT NULL, ADD COLUMN " + quote(StagingWriter.ATTEMPT_COLUMN) + " int NOT NULL, ADD COLUMN "
                    + quote(StagingWriter.SEQ_COLUMN) + " bigint NOT NULL");
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
            s.execute("CREATE INDEX ON " + staging.quoted() + " (" + quote(StagingWriter.PART_COLUMN) + ", "
                    + quote(StagingWriter.ATTEMPT_COLUMN) + ", " + quote(StagingWriter.SEQ_COLUMN) + ")");
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
