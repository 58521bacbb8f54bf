package io.snapsync.row;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.snapsync.config.TablePolicies;
import io.snapsync.schema.Column;
import io.snapsync.schema.ColumnType;
import io.snapsync.schema.TableSchema;
import java.lang.reflect.Proxy;
import java.sql.ResultSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * U+0000 in text. PostgreSQL (the stand-in source here) cannot hold it, only Redshift can, so the
 * row comes from a minimal ResultSet standing in for the Redshift driver's.
 */
class JdbcRowEncoderNulTest {
    private final TableSchema schema = new TableSchema(List.of(
            new Column("id", ColumnType.INTEGER, "bigint", 8, 0, 0, false),
            new Column("name", ColumnType.TEXT, "text", 0, 0, 0, true)), List.of("id"));

    /** One row: id, name; only the getters the encoder uses for these types. */
    private static ResultSet row(Long id, String name) {
        Object[] last = new Object[1];
        return (ResultSet) Proxy.newProxyInstance(ResultSet.class.getClassLoader(), new Class<?>[] {ResultSet.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getLong" -> {
                        last[0] = id;
                        yield id == null ? 0L : id;
                    }
                    case "getString" -> {
                        last[0] = name;
                        yield name;
                    }
                    case "wasNull" -> last[0] == null;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private SnapshotRow encode(TablePolicies.NulCharacters policy, Long id, String name) throws Exception {
        return new JdbcRowEncoder(schema, new EncoderOptions("public.users", policy, "?")).encode(row(id, name));
    }

    private SnapshotRow clean(Long id, String name) throws Exception {
        return encode(TablePolicies.NulCharacters.FAIL, id, name);
    }

    @Test
    void failNamesTableColumnAndKey() {
        assertThatThrownBy(() -> encode(TablePolicies.NulCharacters.FAIL, 7L, "ab\0c"))
                .isInstanceOf(BadDataException.class)
                .hasMessage("table public.users, column \"name\", key (id=7): text contains a NUL character (U+0000), which "
                        + "PostgreSQL cannot store; set on-nul-character: strip or replace to load it");
    }

    @Test
    void stripAndReplaceChangeTheValueBeforeItIsHashedAndFlagTheRow() throws Exception {
        SnapshotRow stripped = encode(TablePolicies.NulCharacters.STRIP, 7L, "a\0b\0");
        assertThat(stripped.row).isEqualTo(clean(7L, "ab").row);
        assertThat(stripped.hashHi).isEqualTo(clean(7L, "ab").hashHi);
        assertThat(stripped.has(SnapshotRow.NUL_FIXED)).isTrue();

        SnapshotRow replaced = encode(TablePolicies.NulCharacters.REPLACE, 7L, "a\0b");
        assertThat(replaced.row).isEqualTo(clean(7L, "a?b").row);
        assertThat(replaced.has(SnapshotRow.NUL_FIXED)).isTrue();
        assertThat(clean(7L, "ab").flags).isZero();
    }

    @Test
    void aNullKeyIsFlaggedNotThrown() throws Exception {
        SnapshotRow r = clean(null, "x");
        assertThat(r.has(SnapshotRow.NULL_KEY)).isTrue();
        assertThat(KeyFormatter.format(schema, Keys.toBytes(r.key))).isEqualTo("(id=NULL)");
    }
}
