package io.snapsync.schema;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * A schema-qualified table name. Parsed from config as {@code schema.table}; either part may be
 * double-quoted to contain dots or quotes ({@code "my.schema"."Odd ""name"""}). Names are taken
 * exactly as written (no case folding) and always quoted in SQL.
 */
public record TableName(String schema, String table) implements Serializable {

    public static TableName parse(String text) {
        List<String> parts = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        boolean wasQuoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '"') {
                    if (i + 1 < text.length() && text.charAt(i + 1) == '"') {
                        cur.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    cur.append(c);
                }
            } else if (c == '"') {
                quoted = true;
                wasQuoted = true;
            } else if (c == '.') {
                parts.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        if (quoted) {
            throw new IllegalArgumentException("unterminated quote in table name: " + text);
        }
        parts.add(cur.toString());
        if (parts.stream().anyMatch(String::isEmpty) || parts.size() > 2 || (!wasQuoted && text.isBlank())) {
            throw new IllegalArgumentException(
                    "table name must be 'schema.table' or 'table', got: " + text);
        }
        return parts.size() == 1 ? new TableName("public", parts.get(0)) : new TableName(parts.get(0), parts.get(1));
    }

    /** {@code "schema"."table"}. */
    public String quoted() {
        return Identifiers.quote(schema) + "." + Identifiers.quote(table);
    }

    @Override
    public String toString() {
        return schema + "." + table;
    }
}
