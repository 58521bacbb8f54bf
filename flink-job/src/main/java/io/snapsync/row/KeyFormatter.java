package io.snapsync.row;

import io.snapsync.schema.Column;
import io.snapsync.schema.TableSchema;
import java.util.List;

/** Human-readable key for messages: {@code (l_orderkey=7, l_linenumber=2)}; bytes in hex as {@code \x00ff}. */
public final class KeyFormatter {
    private KeyFormatter() {}

    public static String format(TableSchema schema, byte[] key) {
        CanonicalRowReader r = new CanonicalRowReader().reset(key);
        List<Column> cols = schema.keyColumnList();
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < cols.size() && r.hasNext(); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(cols.get(i).name()).append('=');
            Object v = ValueFormatter.read(r, r.next());
            if (v instanceof byte[] b) {
                sb.append("\\x").append(java.util.HexFormat.of().formatHex(b)); // bytea's own text form, not byte[]'s identity
            } else {
                sb.append(v == null ? "NULL" : v);
            }
        }
        return sb.append(')').toString();
    }
}
