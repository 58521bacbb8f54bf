package io.snapsync.cache;

import io.snapsync.row.CacheEntry;
import io.snapsync.row.Keys;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.VersionParser;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnReader;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.impl.ColumnReaderImpl;
import org.apache.parquet.column.page.DataPage;
import org.apache.parquet.column.page.DataPageV1;
import org.apache.parquet.column.page.DataPageV2;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.column.page.PageReader;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.ColumnPath;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.api.PrimitiveConverter;
import org.apache.parquet.schema.MessageType;

/**
 * Reads a cache file's key and hash columns (two required flat columns) row group by row group, without
 * parquet-java's record assembly. Only those two columns' chunks are read, and every page is verified against
 * the CRC32C its writer recorded (see {@link CacheIntegrity}).
 *
 * <p>The writer stores both columns PLAIN (no dictionary, see CacheFileWriter), so their pages are decoded here
 * straight from the page bytes: a length-prefixed key, a 16-byte hash. Hand-written because parquet-java's column
 * reader allocates a Binary and ByteBuffer views per value (reading these two columns was 17% of a day-2 profile); a file
 * written any other way (another writer's encodings) is read through parquet-java's column readers instead.
 */
final class KeyHashReader implements CacheEntryFormat.EntryReader {
    /** The general path's columns are never dictionary-encoded: values are read, not converted. */
    private static final PrimitiveConverter NO_CONVERTER = new PrimitiveConverter() {};
    private static final Set<Encoding> PLAIN_ONLY = Set.of(Encoding.PLAIN, Encoding.RLE, Encoding.BIT_PACKED);
    private static final VarHandle LONG_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final int HASH_BYTES = 16;

    private final ParquetFileReader file;
    private final ColumnDescriptor keyColumn;
    private final ColumnDescriptor hashColumn;
    private final VersionParser.ParsedVersion writer;
    /** Every row group's key and hash chunks are PLAIN without a dictionary: their pages are decoded here. */
    private final boolean plain;
    /** Rows left in the current row group. */
    private long left;

    // the general path (column readers), null on the plain path
    private ColumnReader key;
    private ColumnReader hash;

    // the plain path: the current page of each column, its bytes and where the next value starts
    private PageReader keyPages;
    private PageReader hashPages;
    private byte[] keyBytes;
    private int keyPos;
    private int keyEnd;
    private long keysLeft;
    private byte[] hashBytes;
    private int hashPos;
    private long hashesLeft;

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
            this.plain = file.getRowGroups().stream().allMatch(this::plainOnly);
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
            if (keyPages != null && (keysLeft != 0 || hashesLeft != 0 || keyPos != keyEnd || keyPages.readPage() != null
                    || hashPages.readPage() != null)) {
                throw new IllegalStateException("a row group's key or hash pages hold more values than its rows");
            }
            PageReadStore pages = file.readNextRowGroup();
            if (pages == null) {
                return null;
            }
            left = pages.getRowCount();
            if (plain) {
                key = null;
                hash = null;
                keyPages = pages.getPageReader(keyColumn);
                hashPages = pages.getPageReader(hashColumn);
                keysLeft = 0;
                hashesLeft = 0;
            } else {
                keyPages = null;
                hashPages = null;
                key = new ColumnReaderImpl(keyColumn, pages.getPageReader(keyColumn), NO_CONVERTER, writer);
                hash = new ColumnReaderImpl(hashColumn, pages.getPageReader(hashColumn), NO_CONVERTER, writer);
            }
        }
        left--;
        return key == null ? readPlain() : readGeneral();
    }

    /** True when the pages are decoded here (PLAIN), false when parquet-java's column readers read them. */
    boolean decodesPages() {
        return plain;
    }

    /** Both columns' chunks in this row group were written PLAIN without a dictionary (levels are absent: required columns). */
    private boolean plainOnly(BlockMetaData block) {
        ColumnPath key = ColumnPath.get(keyColumn.getPath());
        ColumnPath hash = ColumnPath.get(hashColumn.getPath());
        int found = 0;
        for (ColumnChunkMetaData c : block.getColumns()) {
            if (c.getPath().equals(key) || c.getPath().equals(hash)) {
                found++;
                if (c.hasDictionaryPage() || !PLAIN_ONLY.containsAll(c.getEncodings())) {
                    return false;
                }
            }
        }
        return found == 2;
    }

    private CacheEntry readPlain() throws IOException {
        if (keysLeft == 0) {
            DataPage page = nextPage(keyPages, CacheParquetSchema.KEY);
            keyBytes = values(page, CacheParquetSchema.KEY);
            keyPos = 0;
            keyEnd = keyBytes.length;
            keysLeft = page.getValueCount();
        }
        if (hashesLeft == 0) {
            DataPage page = nextPage(hashPages, CacheParquetSchema.HASH);
            hashBytes = values(page, CacheParquetSchema.HASH);
            hashPos = 0;
            hashesLeft = page.getValueCount();
            if ((long) hashBytes.length != hashesLeft * HASH_BYTES) {
                throw new IllegalStateException("a hash page holds " + hashBytes.length + " bytes for " + hashesLeft + " values");
            }
        }
        if (keyEnd - keyPos < 4) {
            throw new IllegalStateException("a key page ends inside a value's length");
        }
        int length = (int) INT_LE.get(keyBytes, keyPos);
        if (length < 0 || length > keyEnd - keyPos - 4) {
            throw new IllegalStateException("a key's length (" + length + ") runs past its page");
        }
        String k = Keys.fromBytes(keyBytes, keyPos + 4, length);
        keyPos += 4 + length;
        keysLeft--;
        CacheEntry e = new CacheEntry(k, (long) LONG_BE.get(hashBytes, hashPos), (long) LONG_BE.get(hashBytes, hashPos + 8));
        hashPos += HASH_BYTES;
        hashesLeft--;
        return e;
    }

    private static DataPage nextPage(PageReader pages, String column) {
        DataPage page = pages.readPage();
        if (page == null) {
            throw new IllegalStateException("column " + column + " has fewer values than its row group's rows");
        }
        if (page.getValueCount() <= 0) {
            throw new IllegalStateException("column " + column + " has an empty page");
        }
        return page;
    }

    /** A PLAIN data page's value bytes (a required top-level column stores no levels in either page version). */
    private static byte[] values(DataPage page, String column) throws IOException {
        if (page instanceof DataPageV1 v1) {
            if (v1.getValueEncoding() != Encoding.PLAIN) {
                throw new IllegalStateException("column " + column + " has a page in " + v1.getValueEncoding() + ", not PLAIN");
            }
            return v1.getBytes().toByteArray();
        }
        if (page instanceof DataPageV2 v2) {
            if (v2.getDataEncoding() != Encoding.PLAIN || v2.getRepetitionLevels().size() != 0 || v2.getDefinitionLevels().size() != 0) {
                throw new IllegalStateException("column " + column + " has a page in " + v2.getDataEncoding() + " with levels, not PLAIN");
            }
            return v2.getData().toByteArray();
        }
        throw new IllegalStateException("column " + column + " has a page of an unknown kind: " + page.getClass().getSimpleName());
    }

    private CacheEntry readGeneral() {
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
