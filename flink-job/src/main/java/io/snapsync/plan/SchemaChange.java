package io.snapsync.plan;

import static io.snapsync.schema.Identifiers.quote;

import io.snapsync.config.TablePolicies;
import io.snapsync.schema.Column;
import io.snapsync.schema.TableName;
import io.snapsync.schema.TableSchema;
import io.snapsync.schema.TargetColumn;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How the source schema moved since the cache version the target matches, and what the target needs
 * for it. Compatible: columns added, columns dropped, types widened within their value family
 * (SMALLINT -> INTEGER -> BIGINT, REAL -> DOUBLE, VARCHAR(n) -> VARCHAR(m > n) or TEXT, NUMERIC(p,s) to
 * one that holds every old value), NOT NULL relaxed. The canonical encoding is per family, so a widened
 * value hashes as before: only rows whose values really changed are updated. Everything else (another
 * family, a narrower type, CHAR(n) resized, a changed key) is incompatible.
 */
public record SchemaChange(List<Column> added, List<Column> dropped, List<Column> widened, List<Column> relaxed,
                           List<String> incompatible) {

    private static final Pattern LENGTH = Pattern.compile("\\((\\d+)\\)");

    public static SchemaChange between(TableSchema before, TableSchema now) {
        List<Column> added = new ArrayList<>();
        List<Column> dropped = new ArrayList<>();
        List<Column> widened = new ArrayList<>();
        List<Column> relaxed = new ArrayList<>();
        List<String> incompatible = new ArrayList<>();
        if (!before.keyColumns().equals(now.keyColumns())) {
            incompatible.add("the key changed from " + before.keyColumns() + " to " + now.keyColumns());
        }
        for (Column c : now.columns()) {
            int i = before.indexOf(c.name());
            if (i < 0) {
                added.add(c);
                continue;
            }
            Column old = before.column(i);
            if (!old.sqlType().equals(c.sqlType()) || old.type() != c.type()) {
                if (widens(old, c)) {
                    widened.add(c);
                } else {
                    incompatible.add("column " + quote(c.name()) + " changed from " + old.sqlType() + " to " + c.sqlType());
                }
            }
            if (!old.nullable() && c.nullable()) {
                relaxed.add(c);
            }
        }
        for (Column c : before.columns()) {
            if (now.indexOf(c.name()) < 0) {
                dropped.add(c);
            }
        }
        return new SchemaChange(added, dropped, widened, relaxed, incompatible);
    }

    public boolean compatible() {
        return incompatible.isEmpty();
    }

    /** True when every value of {@code old} is a value of {@code now} with the same canonical encoding. */
    static boolean widens(Column old, Column now) {
        if (old.type() != now.type()) {
            return false;
        }
        return switch (now.type()) {
            case INTEGER, FLOAT -> now.width() >= old.width();
            case DECIMAL -> now.precision() == 0
                    || (old.precision() > 0 && now.scale() >= old.scale()
                        && now.precision() - now.scale() >= old.precision() - old.scale());
            case TEXT -> !old.sqlType().startsWith("char") && !now.sqlType().startsWith("char")
                    && (length(now.sqlType()) < 0 || (length(old.sqlType()) >= 0 && length(now.sqlType()) >= length(old.sqlType())));
            default -> false;
        };
    }

    /** The declared length of varchar(n)/char(n), or -1 for unbounded text. */
    static int length(String sqlType) {
        Matcher m = LENGTH.matcher(sqlType);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    /**
     * The statements that bring the target to the new schema. A widened column is only altered when the
     * target's own column is narrower than the new type (a target declared wider by hand is left alone).
     */
    public List<String> targetDdl(TableName target, TablePolicies.DroppedColumns onDropped, Map<String, TargetColumn> targetColumns) {
        List<String> ddl = new ArrayList<>();
        String t = "ALTER TABLE " + target.quoted();
        for (Column c : added) {
            if (!targetColumns.containsKey(c.name())) {
                ddl.add(t + " ADD COLUMN " + quote(c.name()) + " " + c.sqlType());
            }
        }
        for (Column c : widened) {
            TargetColumn tc = targetColumns.get(c.name());
            if (tc != null && narrower(tc, c)) {
                ddl.add(t + " ALTER COLUMN " + quote(c.name()) + " TYPE " + c.sqlType());
            }
        }
        for (Column c : relaxed) {
            if (targetColumns.containsKey(c.name())) {
                ddl.add(t + " ALTER COLUMN " + quote(c.name()) + " DROP NOT NULL");
            }
        }
        for (Column c : dropped) {
            if (onDropped == TablePolicies.DroppedColumns.DROP && targetColumns.containsKey(c.name())) {
                ddl.add(t + " DROP COLUMN " + quote(c.name()));
            }
        }
        return ddl;
    }

    /** Whether the target column cannot hold every value of the (widened) source column. */
    static boolean narrower(TargetColumn target, Column now) {
        return switch (now.type()) {
            case INTEGER -> switch (target.baseType()) {
                case "smallint" -> now.width() > 2;
                case "integer" -> now.width() > 4;
                default -> false;
            };
            case FLOAT -> target.baseType().equals("real") && now.width() > 4;
            case DECIMAL -> target.precision() >= 0 && (now.precision() == 0 || now.scale() > target.scale()
                    || now.precision() - now.scale() > target.precision() - target.scale());
            case TEXT -> target.length() >= 0 && (length(now.sqlType()) < 0 || length(now.sqlType()) > target.length());
            default -> false;
        };
    }

    /** One line for messages and reports. */
    public String describe() {
        List<String> parts = new ArrayList<>();
        added.forEach(c -> parts.add("added " + c.describe()));
        dropped.forEach(c -> parts.add("dropped " + quote(c.name())));
        widened.forEach(c -> parts.add("widened " + quote(c.name()) + " to " + c.sqlType()));
        relaxed.forEach(c -> parts.add(quote(c.name()) + " now nullable"));
        parts.addAll(incompatible);
        return String.join(", ", parts);
    }
}
