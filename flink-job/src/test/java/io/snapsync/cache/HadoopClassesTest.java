package io.snapsync.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.InvocationTargetException;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.FSDataInputStream;
import org.junit.jupiter.api.Test;

/**
 * The job's classes on a TaskManager without Hadoop (the stock Flink image and a jar built with
 * -Dhadoop.scope=provided): class loaders that hold the job's classes and parquet-java but hide Hadoop.
 */
class HadoopClassesTest {

    /** The test JVM's classes except Hadoop, parquet and the job's own, which the child loader must define itself. */
    private static final ClassLoader WITHOUT_HADOOP = new ClassLoader(HadoopClassesTest.class.getClassLoader()) {
        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (name.startsWith("org.apache.hadoop.") || name.startsWith("org.apache.parquet.") || name.startsWith("io.snapsync.")) {
                throw new ClassNotFoundException(name);
            }
            return super.loadClass(name, resolve);
        }

        @Override
        public URL getResource(String name) {
            return name.startsWith("org/apache/hadoop/") ? null : super.getResource(name);
        }

        @Override
        public java.util.Enumeration<URL> getResources(String name) throws java.io.IOException {
            return name.startsWith("org/apache/hadoop/") ? Collections.emptyEnumeration() : super.getResources(name);
        }
    };

    private static URL jarOf(Class<?> c) {
        return c.getProtectionDomain().getCodeSource().getLocation();
    }

    /** The jar named like {@code artifact} that holds the resource (flink-s3-fs-hadoop carries Hadoop classes too). */
    private static URL jarHolding(String resource, String artifact) throws Exception {
        for (URL u : Collections.list(HadoopClassesTest.class.getClassLoader().getResources(resource))) {
            if (u.toString().contains(artifact)) {
                return ((JarURLConnection) u.openConnection()).getJarFileURL();
            }
        }
        throw new AssertionError(artifact + " with " + resource + " is not on the test class path");
    }

    private static URLClassLoader job(URL... hadoop) {
        List<URL> urls = new ArrayList<>(List.of(jarOf(HadoopClasses.class),
                jarOf(org.apache.parquet.hadoop.ParquetWriter.class), jarOf(org.apache.parquet.schema.MessageType.class),
                jarOf(org.apache.parquet.bytes.BytesInput.class), jarOf(org.apache.parquet.column.values.bitpacking.BytePacker.class),
                jarOf(org.apache.parquet.format.FileMetaData.class)));
        urls.addAll(List.of(hadoop));
        return new URLClassLoader(urls.toArray(URL[]::new), WITHOUT_HADOOP);
    }

    private static URL api() throws Exception {
        return jarHolding("org/apache/hadoop/conf/Configuration.class", "hadoop-client-api");
    }

    private static URL runtime() throws Exception {
        return jarHolding("org/apache/hadoop/shaded/com/ctc/wstx/io/InputBootstrapper.class", "hadoop-client-runtime");
    }

    @Test
    void namesWhatIsMissing() throws Exception {
        try (URLClassLoader none = job(); URLClassLoader apiOnly = job(api()); URLClassLoader both = job(api(), runtime())) {
            assertThat(HadoopClasses.missing(none)).isEqualTo("org.apache.hadoop.conf.Configuration");
            assertThat(HadoopClasses.missing(apiOnly)).startsWith("org.apache.hadoop.shaded.");
            assertThat(HadoopClasses.missing(both)).isNull();
        }
    }

    @Test
    void theTaskFailsWithWhatIsMissingAndHowToProvideIt() throws Exception {
        try (URLClassLoader none = job()) {
            Class<?> format = none.loadClass(CacheEntryFormat.class.getName());
            assertThat(format.getClassLoader()).isSameAs(none);
            Object f = format.getConstructor().newInstance();
            var createReader = format.getMethod("createReader", Configuration.class, FSDataInputStream.class, long.class, long.class);
            assertThatThrownBy(() -> createReader.invoke(f, new Configuration(), null, 0L, 0L))
                    .isInstanceOf(InvocationTargetException.class)
                    .extracting(Throwable::getCause)
                    .satisfies(e -> assertThat(e.getClass().getName()).isEqualTo(HadoopClasses.MissingException.class.getName()))
                    .extracting(Throwable::getMessage).asString()
                    .contains("Hadoop's client classes are not on the job's class path (missing: org.apache.hadoop.conf.Configuration)")
                    .contains(java.nio.file.Path.of(api().toURI()).getFileName().toString()) // the version the pom bundles
                    .contains("-Dhadoop.scope=provided")
                    .contains("lib/");
        }
    }

    @Test
    void passesWhereHadoopIsThere() {
        HadoopClasses.require();
    }
}
