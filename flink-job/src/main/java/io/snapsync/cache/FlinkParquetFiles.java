package io.snapsync.cache;

import java.io.IOException;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.parquet.io.DelegatingPositionOutputStream;
import org.apache.parquet.io.DelegatingSeekableInputStream;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;
import org.apache.parquet.io.SeekableInputStream;

/**
 * Adapters between Flink's FileSystem streams and parquet-java's file abstractions, so one code path
 * reads and writes the cache on file://, s3:// or any other Flink filesystem.
 */
public final class FlinkParquetFiles {
    private FlinkParquetFiles() {}

    static OutputFile output(FSDataOutputStream out) {
        return output(out, new java.util.zip.CRC32C());
    }

    /** Every byte Parquet writes also goes through {@code digest}: the file's checksum without reading it back. */
    static OutputFile output(FSDataOutputStream out, java.util.zip.Checksum digest) {
        return new OutputFile() {
            @Override
            public PositionOutputStream create(long blockSizeHint) {
                return wrap(out, digest);
            }

            @Override
            public PositionOutputStream createOrOverwrite(long blockSizeHint) {
                return wrap(out, digest);
            }

            @Override
            public boolean supportsBlockSize() {
                return false;
            }

            @Override
            public long defaultBlockSize() {
                return 0;
            }
        };
    }

    private static PositionOutputStream wrap(FSDataOutputStream out, java.util.zip.Checksum digest) {
        return new DelegatingPositionOutputStream(out) {
            @Override
            public long getPos() throws IOException {
                return out.getPos();
            }

            @Override
            public void write(int b) throws IOException {
                out.write(b);
                digest.update(b);
            }

            @Override
            public void write(byte[] b) throws IOException {
                write(b, 0, b.length);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
                digest.update(b, off, len);
            }
        };
    }

    /** The stream stays owned by the caller (Flink's file source closes it). */
    public static InputFile input(FSDataInputStream in, long length) {
        return new InputFile() {
            @Override
            public long getLength() {
                return length;
            }

            @Override
            public SeekableInputStream newStream() {
                return new DelegatingSeekableInputStream(in) {
                    @Override
                    public long getPos() throws IOException {
                        return in.getPos();
                    }

                    @Override
                    public void seek(long newPos) throws IOException {
                        in.seek(newPos);
                    }

                    @Override
                    public void close() {
                        // owned by Flink's reader
                    }
                };
            }
        };
    }
}
