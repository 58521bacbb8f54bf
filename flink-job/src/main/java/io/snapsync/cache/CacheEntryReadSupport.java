package io.snapsync.cache;

import io.snapsync.row.CacheEntry;
import io.snapsync.row.Keys;
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

/** Materializes {@link CacheEntry}s from the key and hash columns only (a projection). */
final class CacheEntryReadSupport extends ReadSupport<CacheEntry> {

    @Override
    public ReadContext init(InitContext context) {
        MessageType file = context.getFileSchema();
        if (!file.containsField(CacheParquetSchema.KEY) || !file.containsField(CacheParquetSchema.HASH)) {
            throw new IllegalStateException("not a snapsync cache file: no " + CacheParquetSchema.KEY + "/" + CacheParquetSchema.HASH + " columns");
        }
        return new ReadContext(CacheParquetSchema.keyAndHash());
    }

    @Override
    public RecordMaterializer<CacheEntry> prepareForRead(
            org.apache.hadoop.conf.Configuration configuration, Map<String, String> keyValueMetaData,
            MessageType fileSchema, ReadContext readContext) {
        return new Materializer();
    }

    @Override
    public RecordMaterializer<CacheEntry> prepareForRead(
            ParquetConfiguration configuration, Map<String, String> keyValueMetaData,
            MessageType fileSchema, ReadContext readContext) {
        return new Materializer();
    }

    private static final class Materializer extends RecordMaterializer<CacheEntry> {
        private String key;
        private long hi;
        private long lo;

        private final GroupConverter root = new GroupConverter() {
            private final PrimitiveConverter keyConverter = new PrimitiveConverter() {
                @Override
                public void addBinary(Binary value) {
                    key = Keys.fromBytes(value.getBytes());
                }
            };
            private final PrimitiveConverter hashConverter = new PrimitiveConverter() {
                @Override
                public void addBinary(Binary value) {
                    byte[] b = value.getBytes();
                    hi = getLong(b, 0);
                    lo = getLong(b, 8);
                }
            };

            @Override
            public Converter getConverter(int fieldIndex) {
                return fieldIndex == 0 ? keyConverter : hashConverter;
            }

            @Override
            public void start() {}

            @Override
            public void end() {}
        };

        @Override
        public CacheEntry getCurrentRecord() {
            return new CacheEntry(key, hi, lo);
        }

        @Override
        public GroupConverter getRootConverter() {
            return root;
        }
    }

    static long getLong(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[off + i] & 0xFF);
        }
        return v;
    }
}
