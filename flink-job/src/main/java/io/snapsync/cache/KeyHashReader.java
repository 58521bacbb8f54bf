package io.snapsync.cache;

import io.snapsync.row.CacheEntry;
import io.snapsync.row.Keys;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.VersionParser;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnReader;
import org.apache.parquet.column.impl.ColumnReaderImpl;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.schema.MessageType;

/**
 * Reads a cache file's key and hash columns (two required flat columns) with parquet-java's column readers,
 * row group by row group, without its record assembly, which cost more than the decoding itself. Only those
 * two columns' chunks are read, and every page is verified against the CRC32C its writer recorded (see
 * {@link CacheIntegrity}).
 */
final class KeyHashReader implements CacheEntryFormat.EntryReader {
    /** The key and hash are never dictionary-encoded (see CacheFileWriter): values are read, not converted. */
    private static final PrimitiveConverter NO_CONVERTER = new PrimitiveConverter() {};

    private final ParquetFileReader file;
    private final ColumnDescriptor keyColumn;
    private final ColumnDescriptor hashColumn;
    private final VersionParser.ParsedVersion writer;
    private ColumnReader key;
    private ColumnReader hash;
    /** Rows left in the current row group. */
    private long left;

    KeyHashReader(InputFile in) throws IOException {
        ParquetReadOptions options = ParquetReadOptions.builder(new PlainParquetConfiguration()).usePageChecksumVerification(true).build();
        this.file = ParquetFileReader.open(in, options);
        try {
            MessageType schema = file.getFooter().getFileMetaData().getSchema();
            if (!schema.containsField(CacheParquetSchema.KEY) || !schema.containsField(CacheParquetSchema.HASH)) {
                throw new IllegalStateException("not a snapsync cache file: no " + CacheParquetSchema.KEY + "/" + CacheParquetSchema.HASH + " columns");
            }
            MessageType projection = CacheParquetSchema.keyAndHash();
            schema.checkContains(projection);
            this.keyColumn = projection.getColumnDescription(new String[] {CacheParquetSchema.KEY});
            this.hashColumn = projection.getColumnDescription(new String[] {CacheParquetSchema.HASH});
            file.setRequestedSchema(projection);
            this.writer = writerVersion(file.getFooter().getFileMetaData().getCreatedBy());
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
    }

    private static VersionParser.ParsedVersion writerVersion(String createdBy) {
        try {
            return createdBy == null ? null : VersionParser.parse(createdBy);
        } catch (VersionParser.VersionParseException | RuntimeException e) {
            return null; // only consulted for old writers' delta-encoding bugs, which these files never use
        }
    }

    @Override
    public CacheEntry read() throws IOException {
        while (left == 0) {
            PageReadStore group = file.readNextRowGroup();
            if (group == null) {
                return null;
            }
            left = group.getRowCount();
            key = new ColumnReaderImpl(keyColumn, group.getPageReader(keyColumn), NO_CONVERTER, writer);
            hash = new ColumnReaderImpl(hashColumn, group.getPageReader(hashColumn), NO_CONVERTER, writer);
        }
        left--;
        // views of the page's bytes, no copies: the key becomes its Latin-1 String, the hash two big-endian longs
        ByteBuffer k = key.getBinary().toByteBuffer();
        ByteBuffer h = hash.getBinary().toByteBuffer();
        String keyString = k.hasArray()
                ? Keys.fromBytes(k.array(), k.arrayOffset() + k.position(), k.remaining())
                : StandardCharsets.ISO_8859_1.decode(k).toString();
        CacheEntry e = new CacheEntry(keyString, h.getLong(h.position()), h.getLong(h.position() + 8));
        key.consume();
        hash.consume();
        return e;
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
