package io.snapsync.cache;

import java.lang.reflect.InvocationTargetException;

/**
 * parquet-java cannot write or read a file without Hadoop's {@code Configuration} (and the XML parser that
 * hadoop-client-runtime shades for it). Without them a task dies with a bare class name
 * ({@code org.apache.hadoop.conf.Configurable}); this check says what is missing and how to provide it, and
 * runs before the first Parquet class is touched: when planning in {@code main}, and in each task.
 */
public final class HadoopClasses {
    /** Thrown when Hadoop's client is not on the class path; an IllegalStateException so it is the reported cause. */
    public static final class MissingException extends IllegalStateException {
        MissingException(String message) {
            super(message);
        }
    }

    /** Checked once per class loader of this class (per job on a TaskManager). */
    private static volatile boolean present;

    private HadoopClasses() {}

    public static void require() {
        if (present) {
            return;
        }
        String missing = missing(HadoopClasses.class.getClassLoader());
        if (missing != null) {
            throw new MissingException(message(missing));
        }
        present = true;
    }

    /**
     * The first Hadoop class that cannot be loaded from the loader, or null when Hadoop's client is usable.
     * Reading a key makes Configuration parse its default resources, which needs hadoop-client-runtime's
     * shaded XML parser as well as hadoop-client-api.
     */
    static String missing(ClassLoader loader) {
        Thread t = Thread.currentThread();
        ClassLoader previous = t.getContextClassLoader();
        t.setContextClassLoader(loader); // Configuration finds its resources through the context loader
        try {
            Class<?> conf = Class.forName("org.apache.hadoop.conf.Configuration", true, loader);
            Object c = conf.getConstructor(boolean.class).newInstance(true);
            conf.getMethod("get", String.class).invoke(c, "io.file.buffer.size");
            return null;
        } catch (ClassNotFoundException e) {
            return e.getMessage();
        } catch (InvocationTargetException e) {
            return missingName(e.getCause());
        } catch (LinkageError e) {
            return missingName(e);
        } catch (ReflectiveOperationException e) {
            return e.toString();
        } finally {
            t.setContextClassLoader(previous);
        }
    }

    private static String missingName(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof NoClassDefFoundError || c instanceof ClassNotFoundException) {
                return c.getMessage() == null ? c.toString() : c.getMessage().replace('/', '.');
            }
        }
        return String.valueOf(e);
    }

    static String message(String missing) {
        return "Hadoop's client classes are not on the job's class path (missing: " + missing + "). "
                + "parquet-java needs hadoop-client-api and hadoop-client-runtime to write and read the cache. "
                + "Use the cluster jar as built by default (it bundles them), or, for a jar built with "
                + "-Dhadoop.scope=provided, put hadoop-client-api-3.4.2.jar and hadoop-client-runtime-3.4.2.jar "
                + "into Flink's lib/ directory on every JobManager and TaskManager (see deploy/README.md).";
    }
}
