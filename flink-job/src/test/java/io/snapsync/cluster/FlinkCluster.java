package io.snapsync.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * A real multi-process Flink cluster for tests: a JobManager and a TaskManager, each its own JVM, started
 * the way Flink's scripts start them (bin/jobmanager.sh, bin/taskmanager.sh, bin/standalone-job.sh: the
 * same entry classes, the Java 17 flags of Flink's config.yaml, memory flags from BashJavaUtils), from a
 * Flink home laid out as deploy/Dockerfile lays out the image: lib/ (Flink and log4j; no Hadoop: the job jar bundles it),
 * plugins/s3-fs-hadoop/, usrlib/snapsync.jar (the shaded cluster jar). Loopback only, ports chosen free.
 */
final class FlinkCluster implements AutoCloseable {
    /** Flink's config.yaml ({@code env.java.opts.all}): what Flink 2 needs on Java 17. */
    static final List<String> JAVA17_OPTS = List.of(
            "--add-exports=java.base/sun.net.util=ALL-UNNAMED", "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
            "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.net=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.text=ALL-UNNAMED", "--add-opens=java.base/java.time=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");
    static final String SESSION_ENTRY = "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
    /** In flink-container (flink-dist bundles it): what bin/standalone-job.sh and the Kubernetes operator start. */
    static final String APPLICATION_ENTRY = "org.apache.flink.container.entrypoint.StandaloneApplicationClusterEntryPoint";
    static final String TASK_MANAGER = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";
    static final String CLI = "org.apache.flink.client.cli.CliFrontend";
    private static final ObjectMapper JSON = new ObjectMapper();

    final Path home;
    final int restPort;
    private final List<Process> processes = new ArrayList<>();
    /** Environment of the cluster's processes beyond Flink's own (e.g. where the runtime properties are). */
    private final Map<String, String> extraEnv = new LinkedHashMap<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    Process jobManager;
    Process taskManager;

    /**
     * @param extraConfig more config.yaml entries (flat keys), e.g. the operator's fixed job id
     */
    private FlinkCluster(Path home, Map<String, String> extraConfig) throws IOException {
        this.home = home;
        Path dist = Path.of(System.getProperty("snapsync.flink.dist", "../test-cluster/target/flink")).toAbsolutePath();
        Path jar = Path.of(System.getProperty("snapsync.cluster.jar", "target/snapsync-cluster.jar")).toAbsolutePath();
        if (!Files.isDirectory(dist.resolve("lib")) || !Files.isRegularFile(jar)) {
            throw new IllegalStateException("the cluster tests need " + dist + "/lib (module test-cluster) and " + jar
                    + " (mvn package): run them with mvn verify");
        }
        Files.createDirectories(home.resolve("conf"));
        Files.createDirectories(home.resolve("log"));
        Files.createDirectories(home.resolve("usrlib"));
        Files.createDirectories(home.resolve("tmp"));
        Files.createSymbolicLink(home.resolve("lib"), dist.resolve("lib"));
        Files.createSymbolicLink(home.resolve("plugins"), dist.resolve("plugins"));
        Files.copy(jar, home.resolve("usrlib").resolve("snapsync.jar"));
        restPort = freePort();
        Map<String, String> conf = new LinkedHashMap<>();
        conf.put("jobmanager.rpc.address", "127.0.0.1");
        conf.put("jobmanager.rpc.port", Integer.toString(freePort()));
        conf.put("jobmanager.bind-host", "127.0.0.1");
        conf.put("jobmanager.memory.process.size", "1024m");
        conf.put("jobmanager.execution.failover-strategy", "region");
        conf.put("taskmanager.bind-host", "127.0.0.1");
        conf.put("taskmanager.host", "127.0.0.1");
        conf.put("taskmanager.numberOfTaskSlots", "4");
        conf.put("taskmanager.memory.process.size", "1536m");
        // Batch exchanges are sort-merge partitions needing 512 network buffers (16 MB) each by default; a diff
        // subtask has four (its writers' results), so two tables at parallelism 2 want ~256 MB of network memory.
        // The writer-to-committer exchanges carry one record per subtask: 64 buffers each is plenty (see README)
        conf.put("taskmanager.network.sort-shuffle.min-buffers", "64");
        conf.put("rest.address", "127.0.0.1");
        conf.put("rest.bind-address", "127.0.0.1");
        conf.put("rest.port", Integer.toString(restPort));
        conf.put("parallelism.default", "2");
        conf.put("io.tmp.dirs", home.resolve("tmp").toString());
        conf.put("web.tmpdir", home.resolve("tmp").toString());
        conf.put("web.upload.dir", home.resolve("tmp").toString());
        conf.putAll(extraConfig);
        StringBuilder yaml = new StringBuilder();
        conf.forEach((k, v) -> yaml.append(k).append(": ").append(JSON.valueToTree(v).toString()).append('\n'));
        Files.writeString(home.resolve("conf").resolve("config.yaml"), yaml);
        Files.writeString(home.resolve("conf").resolve("log4j.properties"), """
                rootLogger.level = INFO
                rootLogger.appenderRef.file.ref = file
                appender.file.type = File
                appender.file.name = file
                appender.file.fileName = ${sys:log.file}
                appender.file.layout.type = PatternLayout
                appender.file.layout.pattern = %d{HH:mm:ss,SSS} %-5p %c{1} - %m%n
                logger.pekko.name = org.apache.pekko
                logger.pekko.level = WARN
                """);
    }

    /** A session cluster (bin/jobmanager.sh + bin/taskmanager.sh), ready when its TaskManager registered. */
    static FlinkCluster session(Path home) throws Exception {
        FlinkCluster c = new FlinkCluster(home, Map.of());
        c.jobManager = c.start("jobmanager", SESSION_ENTRY, c.resourceParams("GET_JM_RESOURCE_PARAMS"), List.of());
        c.taskManager = c.start("taskmanager", TASK_MANAGER, c.resourceParams("GET_TM_RESOURCE_PARAMS"), List.of());
        c.awaitTaskManager();
        return c;
    }

    /**
     * An application cluster (bin/standalone-job.sh, as the Kubernetes operator runs it): the JobManager runs
     * {@code jobClass}'s main from usrlib/ with {@code args}; {@code config} holds e.g. {@code $internal.pipeline.job-id}.
     */
    static FlinkCluster application(Path home, Map<String, String> config, String jobClass, List<String> args) throws Exception {
        return application(home, config, Map.of(), jobClass, args);
    }

    static FlinkCluster application(Path home, Map<String, String> config, Map<String, String> env, String jobClass,
                                    List<String> args) throws Exception {
        FlinkCluster c = new FlinkCluster(home, config);
        c.extraEnv.putAll(env);
        List<String> program = new ArrayList<>(List.of("--job-classname", jobClass));
        program.addAll(args);
        c.taskManager = c.start("taskmanager", TASK_MANAGER, c.resourceParams("GET_TM_RESOURCE_PARAMS"), List.of());
        c.jobManager = c.start("jobmanager", APPLICATION_ENTRY, c.resourceParams("GET_JM_RESOURCE_PARAMS"), program);
        return c;
    }

    /** JVM flags and dynamic properties from BashJavaUtils, as the scripts compute them. */
    private List<List<String>> resourceParams(String command) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(java(), "-Xmx256m", "-cp", classpath(),
                "org.apache.flink.runtime.util.bash.BashJavaUtils", command, "--configDir", home.resolve("conf").toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("BashJavaUtils " + command + " failed: " + out);
        }
        List<String> results = out.lines().filter(l -> l.startsWith("BASH_JAVA_UTILS_EXEC_RESULT:"))
                .map(l -> l.substring("BASH_JAVA_UTILS_EXEC_RESULT:".length()).trim()).toList();
        List<String> jvm = results.isEmpty() ? List.of() : Arrays.asList(results.get(0).split("\\s+"));
        List<String> dynamic = results.size() < 2 ? List.of() : Arrays.asList(results.get(1).split("\\s+"));
        return List.of(jvm.stream().filter(s -> !s.isEmpty()).toList(), dynamic.stream().filter(s -> !s.isEmpty()).toList());
    }

    private Process start(String name, String mainClass, List<List<String>> params, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(java()));
        cmd.addAll(params.get(0));
        cmd.addAll(JAVA17_OPTS);
        cmd.add("-Dlog.file=" + home.resolve("log").resolve(name + ".log"));
        cmd.add("-Dlog4j.configurationFile=" + home.resolve("conf").resolve("log4j.properties").toUri());
        cmd.add("-cp");
        cmd.add(classpath());
        cmd.add(mainClass);
        cmd.add("--configDir");
        cmd.add(home.resolve("conf").toString());
        cmd.addAll(params.get(1));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(home.resolve("log").resolve(name + ".out").toFile());
        env(pb);
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    /** {@code flink run ...} (bin/flink: CliFrontend in its own JVM); returns its exit code, output in log/flink-run-N.out. */
    Result flinkRun(List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(java(), "-Xmx512m"));
        cmd.addAll(JAVA17_OPTS);
        cmd.add("-Dlog.file=" + home.resolve("log").resolve("client.log"));
        cmd.add("-Dlog4j.configurationFile=" + home.resolve("conf").resolve("log4j.properties").toUri());
        cmd.add("-cp");
        cmd.add(classpath());
        cmd.add(CLI);
        cmd.add("run");
        cmd.addAll(args);
        Path out = Files.createTempFile(home.resolve("log"), "flink-run-", ".out");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
        env(pb);
        Process p = pb.start();
        processes.add(p);
        if (!p.waitFor(5, java.util.concurrent.TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException("flink run did not end in 5 minutes: " + Files.readString(out));
        }
        return new Result(p.exitValue(), Files.readString(out));
    }

    record Result(int exitCode, String output) {}

    private void env(ProcessBuilder pb) {
        pb.environment().put("FLINK_HOME", home.toString());
        pb.environment().put("FLINK_CONF_DIR", home.resolve("conf").toString());
        pb.environment().put("FLINK_LIB_DIR", home.resolve("lib").toString()); // usrlib/ is found beside it
        pb.environment().put("FLINK_PLUGINS_DIR", home.resolve("plugins").toString());
        pb.environment().put("FLINK_OPT_DIR", home.resolve("opt").toString());
        pb.environment().putAll(extraEnv);
        pb.directory(home.toFile());
    }

    private String classpath() {
        return home.resolve("lib") + "/*";
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    // ---- REST ----

    String base() {
        return "http://127.0.0.1:" + restPort;
    }

    JsonNode get(String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(20)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET " + path + ": " + r.statusCode() + " " + r.body());
        }
        return JSON.readTree(r.body());
    }

    JsonNode post(String path, String json) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(120))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("POST " + path + ": " + r.statusCode() + " " + r.body() + logs());
        }
        return JSON.readTree(r.body());
    }

    /** POST /jars/upload (multipart, field "jarfile"), as the web UI uploads; returns the jar id. */
    String uploadJar(Path jar) throws Exception {
        String boundary = "snapsync" + UUID.randomUUID();
        byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\"snapsync.jar\"\r\n"
                + "Content-Type: application/x-java-archive\r\n\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base() + "/jars/upload")).timeout(Duration.ofSeconds(120))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArrays(List.of(head, Files.readAllBytes(jar), tail))).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("jar upload: " + r.statusCode() + " " + r.body());
        }
        String file = JSON.readTree(r.body()).get("filename").asText();
        return file.substring(file.lastIndexOf('/') + 1);
    }

    static final Set<String> TERMINAL = Set.of("FINISHED", "FAILED", "CANCELED");

    /** Waits for the job's terminal state (REST /jobs/:id), which it returns. */
    String awaitJob(String jobId, Duration timeout) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        String state = null;
        while (System.nanoTime() < end) {
            try {
                state = get("/jobs/" + jobId).get("state").asText();
                if (TERMINAL.contains(state)) {
                    return state;
                }
            } catch (Exception e) {
                // not known yet (application mode submits it a moment after the JobManager is up)
            }
            requireAlive();
            Thread.sleep(300);
        }
        throw new IllegalStateException("job " + jobId + " not finished after " + timeout + " (state " + state + "); " + logs());
    }

    /** Waits for the cluster's only job to end (application mode without a fixed id); returns its id and state. */
    String[] awaitOnlyJob(Duration timeout) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            requireAlive();
            try {
                JsonNode jobs = get("/jobs/overview").get("jobs");
                if (jobs.size() == 1 && TERMINAL.contains(jobs.get(0).get("state").asText())) {
                    return new String[] {jobs.get(0).get("jid").asText(), jobs.get(0).get("state").asText()};
                }
            } catch (IllegalStateException | IOException e) {
                // REST not up yet
            }
            Thread.sleep(300);
        }
        throw new IllegalStateException("no finished job after " + timeout + "; " + logs());
    }

    void awaitTaskManager() throws Exception {
        long end = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < end) {
            requireAlive();
            try {
                if (get("/overview").get("taskmanagers").asInt() >= 1) {
                    return;
                }
            } catch (Exception e) {
                // REST not up yet
            }
            Thread.sleep(300);
        }
        throw new IllegalStateException("no TaskManager registered in 2 minutes; " + logs());
    }

    /** Both JVMs run, and the JobManager answers with its TaskManager registered: the cluster survived the run. */
    boolean alive() throws Exception {
        return jobManager.isAlive() && taskManager.isAlive() && get("/overview").get("taskmanagers").asInt() == 1;
    }

    private void requireAlive() throws IOException {
        if (!jobManager.isAlive() || !taskManager.isAlive()) {
            throw new IllegalStateException("a cluster process died (JobManager exit "
                    + (jobManager.isAlive() ? "-" : jobManager.exitValue()) + ", TaskManager exit "
                    + (taskManager.isAlive() ? "-" : taskManager.exitValue()) + "); " + logs());
        }
    }

    /** The tail of each log, for failure messages. */
    String logs() throws IOException {
        StringBuilder b = new StringBuilder();
        try (var files = Files.list(home.resolve("log"))) {
            for (Path f : files.sorted().toList()) {
                List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
                b.append("\n==== ").append(f.getFileName()).append('\n');
                lines.subList(Math.max(0, lines.size() - 40), lines.size()).forEach(l -> b.append(l).append('\n'));
            }
        }
        return b.toString();
    }

    String log(String name) throws IOException {
        return Files.readString(home.resolve("log").resolve(name));
    }

    @Override
    public void close() {
        for (Process p : processes) {
            p.destroy();
        }
        for (Process p : processes) {
            try {
                if (!p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
    }
}
