package io.snapsync.targetdb;

import static io.snapsync.schema.Identifiers.quote;
import static io.snapsync.schema.Identifiers.quoteAll;

import io.snapsync.schema.TableName;
import io.snapsync.targetdb.StagingTables;
import io.snapsync.targetdb.TargetDialect;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The statements that apply a staged change set to the live table. Pure string building over quoted
 * identifiers; the only values (which staged attempts to apply) are bound as two int arrays.
 *
 * <p>Updates touch only rows whose content differs ({@code IS DISTINCT FROM}), so re-applying a
 * change set the target already has writes nothing.
 */
public final class MergeSql {
    private final TableName target;
    private final List<String> columns;
    private final List<String> keys;
    private final List<String> values;
    /** Columns compared as text: plain {@code json} has no equality operator. */
    private final List<String> compareAsText;

    public MergeSql(TableName target, List<String> columns, List<String> keys, List<String> compareAsText) {
        this.target = target;
        this.columns = List.copyOf(columns);
        this.keys = List.copyOf(keys);
        this.values = columns.stream().filter(c -> !keys.contains(c)).toList();
        this.compareAsText = List.copyOf(compareAsText);
    }

    /** Restricts a staging table to the attempts that reported results: binds (int[] parts, int[] attempts). */
    public static String stagedRows(TableName staging, List<String> cols) {
        return "SELECT " + quoteAll(cols) + " FROM " + staging.quoted()
                + " WHERE (" + quote(StagingTables.PART_COLUMN) + ", " + quote(StagingTables.ATTEMPT_COLUMN)
                + ") IN (SELECT * FROM unnest(?::int[], ?::int[]))";
    }

    /** One chunk: a reported attempt's rows at positions [from, to): binds (int part, int attempt, long from, long to). */
    static String stagedChunk(TableName staging, List<String> cols) {
        return "SELECT " + quoteAll(cols) + " FROM " + staging.quoted()
                + " WHERE " + quote(StagingTables.PART_COLUMN) + " = ? AND " + quote(StagingTables.ATTEMPT_COLUMN)
                + " = ? AND " + quote(StagingTables.SEQ_COLUMN) + " >= ? AND " + quote(StagingTables.SEQ_COLUMN) + " < ?";
    }

    /** The statement applying upserts (MERGE on 15+, else ON CONFLICT), whole or one chunk. */
    public String upsert(TableName staging, TargetDialect dialect, boolean chunk) {
        String rows = chunk ? stagedChunk(staging, columns) : stagedRows(staging, columns);
        return switch (dialect) {
            case MERGE -> merge(rows);
            case ON_CONFLICT -> insertOnConflict(rows);
        };
    }

    /** The statement upserting every row of {@code table} (a first load's new table that could not be swapped in). */
    public String upsertFrom(TableName table, TargetDialect dialect) {
        String rows = "SELECT " + quoteAll(columns) + " FROM " + table.quoted();
        return switch (dialect) {
            case MERGE -> merge(rows);
            case ON_CONFLICT -> insertOnConflict(rows);
        };
    }

    /** A first load into an empty, locked target: every staged row is new, so no join against the target. */
    public String insert(TableName staging) {
        return "INSERT INTO " + target.quoted() + " (" + quoteAll(columns) + ") " + stagedRows(staging, columns);
    }

    /** The statement applying deletes, whole or one chunk. */
    public String delete(TableName deleteStaging, boolean chunk) {
        return deleteFrom(chunk ? stagedChunk(deleteStaging, keys) : stagedRows(deleteStaging, keys));
    }

    /** PostgreSQL 15+: one MERGE inserting new keys and updating changed rows. */
    public String merge(TableName staging) {
        return merge(stagedRows(staging, columns));
    }

    private String merge(String stagedRows) {
        StringBuilder sb = new StringBuilder();
        sb.append("MERGE INTO ").append(target.quoted()).append(" AS t USING (")
                .append(stagedRows).append(") AS s ON ").append(keyJoin("t", "s"));
        if (!values.isEmpty()) {
            sb.append(" WHEN MATCHED AND ").append(distinct("t", "s")).append(" THEN UPDATE SET ")
                    .append(values.stream().map(c -> quote(c) + " = s." + quote(c)).collect(Collectors.joining(", ")));
        }
        sb.append(" WHEN NOT MATCHED THEN INSERT (").append(quoteAll(columns)).append(") VALUES (")
                .append(quoteAll("s", columns)).append(")");
        return sb.toString();
    }

    /** PostgreSQL 13/14: INSERT ... ON CONFLICT on the primary key. */
    public String insertOnConflict(TableName staging) {
        return insertOnConflict(stagedRows(staging, columns));
    }

    private String insertOnConflict(String stagedRows) {
        StringBuilder sb = new StringBuilder();
        sb.append("INSERT INTO ").append(target.quoted()).append(" AS t (").append(quoteAll(columns)).append(") ")
                .append(stagedRows)
                .append(" ON CONFLICT (").append(quoteAll(keys)).append(") DO ");
        if (values.isEmpty()) {
            sb.append("NOTHING");
        } else {
            sb.append("UPDATE SET ")
                    .append(values.stream().map(c -> quote(c) + " = EXCLUDED." + quote(c)).collect(Collectors.joining(", ")))
                    .append(" WHERE ").append(distinct("t", "EXCLUDED"));
        }
        return sb.toString();
    }

    /**
     * Keys that are distinct as text in {@code textKeys} (as snapsync compares json keys) but one key under the target's
     * key equality (jsonb's {@code =} holds {"a": 1.0} and {"a": 1.00} equal): a staged upsert and a target row, which the
     * MERGE (or ON CONFLICT) would update in place of inserting a second row; or two staged upserts, which one statement
     * refuses (a unique violation) but two chunks would merge. Either way the target would silently hold one row for two
     * source rows. Run after the staged deletes are applied, so that a key whose text alone changes (its old text a staged
     * delete) is no collision. Up to three pairs as (key texts, key texts) of the {@code textKeys}, the staged one second;
     * binds (int[] parts, int[] attempts) of the upserts, twice. Linear in the staged upserts whatever the planner's
     * estimates (it takes the unnest semi-join for one row): an index probe per staged row, and one grouping of them (a
     * self-join became a nested loop over every pair: 112 s for 12,000 rows).
     */
    public String keyTextCollisions(TableName upsertStaging, List<String> textKeys) {
        String upserts = stagedRows(upsertStaging, keys);
        return "(SELECT " + texts("t", textKeys) + ", " + texts("s", textKeys)
                + " FROM " + target.quoted() + " AS t JOIN (" + upserts + ") AS s ON " + keyJoin("t", "s")
                + " WHERE " + textRow("t", textKeys) + " IS DISTINCT FROM " + textRow("s", textKeys) + " LIMIT 3)"
                + " UNION ALL (SELECT " + textKeys.stream().map(k -> "min(" + quote(k) + "::text COLLATE \"C\")").collect(Collectors.joining(", "))
                + ", " + textKeys.stream().map(k -> "max(" + quote(k) + "::text COLLATE \"C\")").collect(Collectors.joining(", "))
                + " FROM (" + upserts + ") AS s GROUP BY " + quoteAll(keys) + " HAVING "
                + textKeys.stream().map(k -> "min(" + quote(k) + "::text COLLATE \"C\") <> max(" + quote(k) + "::text COLLATE \"C\")")
                        .collect(Collectors.joining(" OR ")) + " LIMIT 3)";
    }

    private static String texts(String alias, List<String> cols) {
        return cols.stream().map(k -> alias + "." + quote(k) + "::text").collect(Collectors.joining(", "));
    }

    /** The columns' text in byte order, as one row value (comparable whatever the column's or database's collation). */
    private static String textRow(String alias, List<String> cols) {
        return "ROW(" + cols.stream().map(k -> alias + "." + quote(k) + "::text COLLATE \"C\"").collect(Collectors.joining(", ")) + ")";
    }

    /** Deletes the staged keys. */
    public String delete(TableName deleteStaging) {
        return deleteFrom(stagedRows(deleteStaging, keys));
    }

    private String deleteFrom(String stagedRows) {
        return "DELETE FROM " + target.quoted() + " AS t USING (" + stagedRows + ") AS d WHERE " + keyJoin("t", "d");
    }

    private String keyJoin(String a, String b) {
        return keys.stream().map(k -> a + "." + quote(k) + " = " + b + "." + quote(k)).collect(Collectors.joining(" AND "));
    }

    private String distinct(String a, String b) {
        return "(" + values.stream().map(c -> cmp(a, c)).collect(Collectors.joining(", ")) + ") IS DISTINCT FROM ("
                + values.stream().map(c -> cmp(b, c)).collect(Collectors.joining(", ")) + ")";
    }

    private String cmp(String alias, String c) {
        String ref = alias + "." + quote(c);
        return compareAsText.contains(c) ? ref + "::text" : ref;
    }
}
