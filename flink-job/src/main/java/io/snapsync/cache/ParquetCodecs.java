package io.snapsync.cache;

import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.CodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * parquet-java caches codec instances in a static map, each holding the Hadoop Configuration of the
 * task that created it first, and that Configuration remembers the thread's context class loader. In
 * a JVM that runs several jobs (the local runner syncing several tables, the tests) a later job then
 * loads through the first job's closed user-code class loader and fails. Creating the codecs once,
 * with this class's own loader as context loader, pins the cache to a loader that lives as long as
 * the cached codecs do (on a cluster, the job jar's loader: statics are per job there).
 */
public final class ParquetCodecs {
    private static final CompressionCodecName[] CODECS = {
        CompressionCodecName.SNAPPY, CompressionCodecName.ZSTD, CompressionCodecName.GZIP
    };

    static {
        Thread t = Thread.currentThread();
        ClassLoader previous = t.getContextClassLoader();
        t.setContextClassLoader(ParquetCodecs.class.getClassLoader());
        try {
            CodecFactory factory = new CodecFactory(new PlainParquetConfiguration(), 64 * 1024);
            for (CompressionCodecName codec : CODECS) {
                try {
                    factory.getCompressor(codec);
                    factory.getDecompressor(codec);
                } catch (RuntimeException | LinkageError e) {
                    // a codec whose native/optional library is missing fails later, where it is used, with its own error
                }
            }
            factory.release();
        } finally {
            t.setContextClassLoader(previous);
        }
    }

    private ParquetCodecs() {}

    /** Runs the static initializer (once per class loader). */
    public static void pin() {
        // nothing: loading the class did the work
    }
}
