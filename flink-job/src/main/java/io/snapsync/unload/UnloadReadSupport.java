package io.snapsync.unload;

import io.snapsync.row.EncoderOptions;
import io.snapsync.row.JdbcRowEncoder;
import io.snapsync.row.SnapshotRow;
import io.snapsync.schema.Column;
import io.snapsync.schema.Identifiers;
import io.snapsync.schema.TableSchema;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.hadoop.api.InitContext;
import org.apache.parquet.hadoop.api.ReadSupport;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.Converter;
import org.apache.parquet.io.api.GroupConverter;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.io.api.RecordMaterializer;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * Reads an UNLOAD Parquet file's rows into {@link SnapshotRow}s: each file column is matched to its snapshot column
 * by name, its values decoded by {@link ParquetValues} (per file: UNLOAD may encode files differently), and the row
 * encoded by the JDBC path's own {@link JdbcRowEncoder}, so a row hashes the same whichever way it was read.
 */
final class UnloadReadSupport extends ReadSupport<SnapshotRow> {
    private final TableSchema schema;
    private final EncoderOptions options;

    UnloadReadSupport(TableSchema schema, EncoderOptions options) {
        this.schema = schema;
        this.options = options;
    }

    /**
     * The file's fields for the snapshot's columns, in schema order; throws IllegalStateException naming the column
     * that is missing or cannot be read faithfully (and the {@code extract: jdbc} way out).
     */
    static List<PrimitiveType> matchColumns(TableSchema schema, MessageType file) {
        List<PrimitiveType> out = new ArrayList<>();
        for (Column c : schema.columns()) {
            Type f = file.containsField(c.name()) ? file.getType(c.name()) : null;
            if (f == null) {
                // Redshift folds unquoted names to lower case; a case-insensitive match is only taken when unique
                List<Type> ci = file.getFields().stream().filter(t -> t.getName().equalsIgnoreCase(c.name())).toList();
                f = ci.size() == 1 ? ci.get(0) : null;
            }
            if (f == null) {
                throw new IllegalStateException("the UNLOAD files have no column " + Identifiers.quote(c.name()) + " (they have "
                        + file.getFields().stream().map(Type::getName).toList() + ")");
            }
            if (!f.isPrimitive()) {
                throw new IllegalStateException("column " + Identifiers.quote(c.name()) + " arrives from UNLOAD as a nested Parquet "
                        + "group; set extract: jdbc for this table");
            }
            String why = ParquetValues.unreadable(c, f.asPrimitiveType());
            if (why != null) {
                throw new IllegalStateException(why);
            }
            out.add(f.asPrimitiveType());
        }
        return out;
    }

    @Override
    public ReadContext init(InitContext context) {
        return new ReadContext(new MessageType("unload", new ArrayList<Type>(matchColumns(schema, context.getFileSchema()))));
    }

    @Override
    public RecordMaterializer<SnapshotRow> prepareForRead(org.apache.hadoop.conf.Configuration configuration,
            Map<String, String> keyValueMetaData, MessageType fileSchema, ReadContext readContext) {
        return new Materializer(schema, options, readContext.getRequestedSchema());
    }

    @Override
    public RecordMaterializer<SnapshotRow> prepareForRead(ParquetConfiguration configuration,
            Map<String, String> keyValueMetaData, MessageType fileSchema, ReadContext readContext) {
        return new Materializer(schema, options, readContext.getRequestedSchema());
    }

    private static final class Materializer extends RecordMaterializer<SnapshotRow> {
        private final Object[] values;
        private final JdbcRowEncoder encoder;
        private final GroupConverter root;

        Materializer(TableSchema schema, EncoderOptions options, MessageType requested) {
            this.values = new Object[schema.size()];
            this.encoder = new JdbcRowEncoder(schema, options);
            Converter[] converters = new Converter[schema.size()];
            for (int i = 0; i < schema.size(); i++) {
                converters[i] = new Slot(i, schema.column(i), requested.getType(i).asPrimitiveType());
            }
            this.root = new GroupConverter() {
                @Override
                public Converter getConverter(int fieldIndex) {
                    return converters[fieldIndex];
                }

                @Override
                public void start() {
                    Arrays.fill(values, null); // a field with no value in a record is NULL
                }

                @Override
                public void end() {}
            };
        }

        @Override
        public SnapshotRow getCurrentRecord() {
            return encoder.encodeValues(values);
        }

        @Override
        public GroupConverter getRootConverter() {
            return root;
        }

        private final class Slot extends PrimitiveConverter {
            private final int index;
            private final Column column;
            private final PrimitiveType type;

            Slot(int index, Column column, PrimitiveType type) {
                this.index = index;
                this.column = column;
                this.type = type;
            }

            @Override
            public void addBinary(Binary value) {
                values[index] = ParquetValues.decode(column, type, value.getBytes());
            }

            @Override
            public void addBoolean(boolean value) {
                values[index] = ParquetValues.decode(column, type, value);
            }

            @Override
            public void addDouble(double value) {
                values[index] = ParquetValues.decode(column, type, value);
            }

            @Override
            public void addFloat(float value) {
                values[index] = ParquetValues.decode(column, type, value);
            }

            @Override
            public void addInt(int value) {
                values[index] = ParquetValues.decode(column, type, value);
            }

            @Override
            public void addLong(long value) {
                values[index] = ParquetValues.decode(column, type, value);
            }
        }
    }
}
