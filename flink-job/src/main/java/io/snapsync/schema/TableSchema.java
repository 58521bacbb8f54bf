package io.snapsync.schema;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/** The columns of a synced table, in source order, and which of them form the primary key. */
public final class TableSchema implements Serializable {
    private static final long serialVersionUID = 1L;

    private final List<Column> columns;
    private final List<String> keyColumns;
    private final int[] keyIndexes;

    public TableSchema(List<Column> columns, List<String> keyColumns) {
        this.columns = List.copyOf(columns);
        this.keyColumns = List.copyOf(keyColumns);
        if (this.keyColumns.isEmpty()) {
            throw new IllegalArgumentException("a primary key needs at least one column");
        }
        this.keyIndexes = new int[keyColumns.size()];
        for (int k = 0; k < keyColumns.size(); k++) {
            int idx = indexOf(keyColumns.get(k));
            if (idx < 0) {
                throw new IllegalArgumentException(
                        "primary-key column " + Identifiers.quote(keyColumns.get(k)) + " is not a column of the table");
            }
            keyIndexes[k] = idx;
        }
    }

    public List<Column> columns() {
        return columns;
    }

    public int size() {
        return columns.size();
    }

    public Column column(int i) {
        return columns.get(i);
    }

    public List<String> columnNames() {
        return columns.stream().map(Column::name).toList();
    }

    public List<String> keyColumns() {
        return keyColumns;
    }

    /** Positions of the key columns in {@link #columns()}, in key order. */
    public int[] keyIndexes() {
        return keyIndexes.clone();
    }

    public List<Column> keyColumnList() {
        List<Column> out = new ArrayList<>();
        for (int i : keyIndexes) {
            out.add(columns.get(i));
        }
        return out;
    }

    /** Non-key column names, in column order. */
    public List<String> valueColumns() {
        return columns.stream().map(Column::name).filter(n -> !keyColumns.contains(n)).toList();
    }

    public int indexOf(String name) {
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * A short stable digest of names, value families, declared types and the key. Recorded with every
     * cache version and control row so a run can tell that the cache was written under another schema.
     */
    public String fingerprint() {
        StringBuilder sb = new StringBuilder("v1");
        for (Column c : columns) {
            sb.append('\n').append(c.name()).append('\t').append(c.type()).append('\t').append(c.sqlType());
        }
        sb.append("\nkey\t").append(String.join("\t", keyColumns));
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(sb.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TableSchema t && t.columns.equals(columns) && t.keyColumns.equals(keyColumns);
    }

    @Override
    public int hashCode() {
        return Objects.hash(columns, keyColumns);
    }

    @Override
    public String toString() {
        return "TableSchema" + columns + " key " + keyColumns;
    }
}
