package io.snapsync.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1CronJob;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Role;
import io.kubernetes.client.openapi.models.V1RoleBinding;
import io.kubernetes.client.openapi.models.V1ServiceAccount;
import io.snapsync.config.ConfigLoader;
import io.snapsync.config.SyncConfig;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The manifests in k8s/ as `kubectl apply -k k8s/` sends them: the FlinkDeployment against the operator's CRD
 * (1.10.0's from Maven Central plus the Flink 2 versions 1.13 adds; objects closed the way the API server's strict field validation treats a
 * structural schema), the Kubernetes objects strictly against the Kubernetes API models (unknown fields and wrong
 * shapes fail), the references between them, and the CronJob's script against a stand-in kubectl.
 */
class K8sManifestsTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path K8S = k8sDir();

    private static Path k8sDir() {
        Path here = Path.of("").toAbsolutePath();
        return Files.isDirectory(here.resolve("k8s")) ? here.resolve("k8s") : here.getParent().resolve("k8s");
    }

    private static List<JsonNode> docs(String file) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        try (var it = YAML.readerFor(JsonNode.class).<JsonNode>readValues(K8S.resolve(file).toFile())) {
            while (it.hasNext()) {
                JsonNode n = it.next();
                if (n != null && !n.isNull() && !n.isMissingNode()) {
                    out.add(n);
                }
            }
        }
        return out;
    }

    private static JsonNode doc(String file) throws Exception {
        List<JsonNode> d = docs(file);
        assertThat(d).hasSize(1);
        return d.get(0);
    }

    // ---- the FlinkDeployment and the operator's CRD

    private static JsonSchema crdSchema() throws Exception {
        JsonNode crd;
        // the CRD in the operator-api jar on Maven Central (1.10.0; later releases are not published there)
        try (InputStream in = K8sManifestsTest.class.getResourceAsStream("/META-INF/fabric8/flinkdeployments.flink.apache.org-v1.yml")) {
            assertThat(in).as("the CRD in flink-kubernetes-operator-api").isNotNull();
            crd = YAML.readTree(in);
        }
        JsonNode version = null;
        for (JsonNode v : crd.path("spec").path("versions")) {
            if (v.path("name").asText().equals("v1beta1")) {
                version = v;
            }
        }
        assertThat(version).as("v1beta1 in the CRD").isNotNull();
        ObjectNode schema = version.path("schema").path("openAPIV3Schema").deepCopy();
        // what operator 1.13 adds to the schema we use: the Flink 2 versions (its flinkConfiguration also takes
        // nested YAML, which 1.10's string map refuses: stricter, so strings-only manifests pass both)
        com.fasterxml.jackson.databind.node.ArrayNode versions =
                (com.fasterxml.jackson.databind.node.ArrayNode) schema.at("/properties/spec/properties/flinkVersion/enum");
        assertThat(versions).as("flinkVersion values in the CRD").isNotNull();
        versions.add("v2_0").add("v2_1").add("v2_2");
        // what every custom resource has besides its schema; metadata is checked against ObjectMeta separately
        ObjectNode props = (ObjectNode) schema.get("properties");
        props.putObject("apiVersion").put("type", "string");
        props.putObject("kind").put("type", "string");
        props.putObject("metadata").put("type", "object");
        close(schema);
        return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(schema);
    }

    /** Unknown fields are errors under kubectl's default strict validation, except where the schema preserves them. */
    private static void close(JsonNode n) {
        if (n instanceof ObjectNode o) {
            if (o.has("properties") && !o.has("additionalProperties")
                    && !o.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
                o.put("additionalProperties", false);
            }
            o.elements().forEachRemaining(K8sManifestsTest::close);
        } else if (n != null && n.isArray()) {
            n.forEach(K8sManifestsTest::close);
        }
    }

    private static Set<ValidationMessage> crdErrors(JsonNode deployment) throws Exception {
        Set<ValidationMessage> errors = new HashSet<>(crdSchema().validate(deployment));
        V1ObjectMeta.validateJsonElement(com.google.gson.JsonParser.parseString(JSON.writeValueAsString(deployment.path("metadata"))));
        return errors;
    }

    @Test
    void flinkDeploymentMatchesTheCrdOfOperator113() throws Exception {
        JsonNode d = doc("flinkdeployment.yaml");
        assertThat(d.path("apiVersion").asText()).isEqualTo("flink.apache.org/v1beta1");
        assertThat(d.path("kind").asText()).isEqualTo("FlinkDeployment");
        assertThat(crdErrors(d)).isEmpty();
    }

    @Test
    void flinkDeploymentIsAOneShotBatchApplication() throws Exception {
        JsonNode spec = doc("flinkdeployment.yaml").path("spec");
        assertThat(spec.path("flinkVersion").asText()).isEqualTo("v2_2");
        assertThat(spec.path("mode").asText()).isEqualTo("native");
        JsonNode conf = spec.path("flinkConfiguration");
        assertThat(conf.path("execution.runtime-mode").asText()).isEqualTo("BATCH");
        assertThat(conf.path("execution.shutdown-on-application-finish").asText()).isEqualTo("false"); // what the operator forces
        assertThat(conf.path("kubernetes.operator.job.restart.failed").asText()).isEqualTo("false");
        assertThat(conf.path("restart-strategy.type").asText()).isEqualTo("fixed-delay");
        JsonNode job = spec.path("job");
        assertThat(job.path("jarURI").asText()).isEqualTo("local:///opt/flink/usrlib/snapsync.jar");
        assertThat(job.path("entryClass").asText()).isEqualTo("io.snapsync.cli.Main");
        assertThat(job.path("upgradeMode").asText()).isEqualTo("stateless");
        assertThat(job.path("state").asText()).isEqualTo("running");
        assertThat(job.path("args").get(0).asText()).isEqualTo("sync");
        String dockerfile = Files.readString(K8S.resolveSibling("deploy").resolve("Dockerfile"));
        assertThat(dockerfile).contains("/opt/flink/usrlib/snapsync.jar").contains("FROM flink:2.2.");
    }

    /** The check is not vacuous: a misspelt field, a wrong type, a value outside an enum each fail, also inside the pod template. */
    @ParameterizedTest
    @ValueSource(strings = {"misspelt", "wrongType", "badEnum", "podTemplateField", "flinkVersionOfAnotherOperator"})
    void theCrdCheckCatchesMistakes(String mistake) throws Exception {
        ObjectNode d = (ObjectNode) doc("flinkdeployment.yaml");
        ObjectNode spec = (ObjectNode) d.get("spec");
        ObjectNode job = (ObjectNode) spec.get("job");
        switch (mistake) {
            case "misspelt" -> job.set("upgradMode", job.remove("upgradeMode"));
            case "wrongType" -> job.put("parallelism", "four");
            case "badEnum" -> job.put("upgradeMode", "last_state");
            case "podTemplateField" -> ((ObjectNode) spec.path("jobManager").path("podTemplate").path("spec").path("containers").get(0))
                    .set("envFromm", JSON.createArrayNode());
            case "flinkVersionOfAnotherOperator" -> spec.put("flinkVersion", "v2_3");
            default -> throw new IllegalArgumentException(mistake);
        }
        assertThat(crdErrors(d)).isNotEmpty();
    }

    // ---- the Kubernetes objects

    private static final Map<String, Class<?>> MODELS = Map.of(
            "v1/ServiceAccount", V1ServiceAccount.class,
            "v1/ConfigMap", V1ConfigMap.class,
            "rbac.authorization.k8s.io/v1/Role", V1Role.class,
            "rbac.authorization.k8s.io/v1/RoleBinding", V1RoleBinding.class,
            "batch/v1/CronJob", V1CronJob.class);

    /** Strict: the generated models reject fields their API version does not define and values of the wrong shape. */
    private static void validateKubernetesObject(JsonNode doc) throws Exception {
        String key = doc.path("apiVersion").asText() + "/" + doc.path("kind").asText();
        Class<?> model = MODELS.get(key);
        if (model == null) {
            throw new IllegalArgumentException("no Kubernetes model for " + key);
        }
        try {
            model.getMethod("fromJson", String.class).invoke(null, JSON.writeValueAsString(doc));
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof Exception ex ? ex : e;
        }
    }

    @Test
    void everyKubernetesObjectIsValidForItsApiVersion() throws Exception {
        List<String> kinds = new ArrayList<>();
        for (String file : List.of("rbac.yaml", "configmap.yaml", "cronjob.yaml")) {
            for (JsonNode d : docs(file)) {
                validateKubernetesObject(d);
                kinds.add(d.path("kind").asText());
            }
        }
        assertThat(kinds).containsExactlyInAnyOrder("ServiceAccount", "Role", "RoleBinding", "ConfigMap", "CronJob");
    }

    @ParameterizedTest
    @ValueSource(strings = {"misspelt", "wrongType", "nestedMisspelt"})
    void theKubernetesCheckCatchesMistakes(String mistake) throws Exception {
        ObjectNode cron = (ObjectNode) doc("cronjob.yaml");
        ObjectNode spec = (ObjectNode) cron.get("spec");
        ObjectNode jobSpec = (ObjectNode) spec.path("jobTemplate").path("spec");
        switch (mistake) {
            case "misspelt" -> spec.set("concurrencyPolicyy", spec.remove("concurrencyPolicy"));
            case "wrongType" -> jobSpec.put("backoffLimit", "none");
            case "nestedMisspelt" -> ((ObjectNode) jobSpec.path("template").path("spec").path("containers").get(0))
                    .set("volumeMount", JSON.createArrayNode());
            default -> throw new IllegalArgumentException(mistake);
        }
        assertThatThrownBy(() -> validateKubernetesObject(cron)).isInstanceOfAny(IllegalArgumentException.class,
                com.google.gson.JsonParseException.class, java.io.IOException.class);
    }

    @Test
    void whatTheCronJobMountsAndRunsAsIsCreatedByTheKustomization() throws Exception {
        JsonNode k = doc("kustomization.yaml");
        Set<String> configMaps = new HashSet<>();
        Set<String> serviceAccounts = new HashSet<>();
        List<JsonNode> all = new ArrayList<>();
        for (JsonNode r : k.path("resources")) {
            assertThat(K8S.resolve(r.asText())).exists();
            all.addAll(docs(r.asText()));
        }
        for (JsonNode d : all) {
            if (d.path("kind").asText().equals("ConfigMap")) {
                configMaps.add(d.path("metadata").path("name").asText());
            }
            if (d.path("kind").asText().equals("ServiceAccount")) {
                serviceAccounts.add(d.path("metadata").path("name").asText());
            }
        }
        assertThat(k.path("generatorOptions").path("disableNameSuffixHash").asBoolean()).isTrue();
        for (JsonNode g : k.path("configMapGenerator")) {
            configMaps.add(g.path("name").asText());
            for (JsonNode f : g.path("files")) {
                assertThat(K8S.resolve(f.asText())).exists();
            }
        }
        JsonNode pod = doc("cronjob.yaml").path("spec").path("jobTemplate").path("spec").path("template").path("spec");
        assertThat(serviceAccounts).contains(pod.path("serviceAccountName").asText());
        for (JsonNode v : pod.path("volumes")) {
            assertThat(configMaps).contains(v.path("configMap").path("name").asText());
        }
        // the generated ConfigMap holds the file under the name the script reads
        assertThat(pod.path("containers").get(0).path("args").get(0).asText()).contains("/manifests/flinkdeployment.yaml");
        assertThat(k.path("configMapGenerator").get(0).path("files").get(0).asText()).isEqualTo("flinkdeployment.yaml");
        // the FlinkDeployment's own mounts: the config map is applied, the secret is created as the README says
        JsonNode jmPod = doc("flinkdeployment.yaml").path("spec").path("jobManager").path("podTemplate").path("spec");
        assertThat(configMaps).contains(jmPod.path("volumes").get(0).path("configMap").path("name").asText());
        String secret = jmPod.path("containers").get(0).path("envFrom").get(0).path("secretRef").path("name").asText();
        assertThat(Files.readString(K8S.resolve("README.md"))).contains("kubectl create secret generic " + secret)
                .contains("kubectl apply -k k8s/");
        // the Role covers what kubectl does in the script (delete --wait watches)
        JsonNode role = all.stream().filter(d -> d.path("kind").asText().equals("Role")).findFirst().orElseThrow();
        List<String> verbs = new ArrayList<>();
        role.path("rules").get(0).path("verbs").forEach(v -> verbs.add(v.asText()));
        assertThat(verbs).contains("get", "list", "watch", "create", "delete");
        assertThat(role.path("rules").get(0).path("resources").get(0).asText()).isEqualTo("flinkdeployments");
        assertThat(doc("cronjob.yaml").path("spec").path("concurrencyPolicy").asText()).isEqualTo("Forbid");
    }

    @Test
    void theConfigInTheConfigMapLoads() throws Exception {
        JsonNode cm = docs("configmap.yaml").get(0);
        SyncConfig c = ConfigLoader.parse(cm.path("data").path("snapsync.yaml").asText(),
                Map.of("SOURCE_PASSWORD", "s", "TARGET_PASSWORD", "t")::get);
        assertThat(c.tables()).isNotEmpty();
    }

    // ---- the CronJob's script, run by /bin/sh against a stand-in kubectl (the Kubernetes API is the stand-in)

    private record Outcome(int exit, List<String> calls, String output) {}

    private static Outcome runScript(Path dir, String state) throws Exception {
        String script = doc("cronjob.yaml").path("spec").path("jobTemplate").path("spec").path("template").path("spec")
                .path("containers").get(0).path("args").get(0).asText();
        Path manifests = Files.createDirectories(dir.resolve("manifests"));
        Files.copy(K8S.resolve("flinkdeployment.yaml"), manifests.resolve("flinkdeployment.yaml"));
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path log = dir.resolve("calls.log");
        Path kubectl = bin.resolve("kubectl");
        // state "absent": no deployment; otherwise its .status.jobStatus.state ("" = not reported yet)
        Files.writeString(kubectl, """
                #!/bin/sh
                echo "$*" >> "%s"
                case "$*" in
                  "get flinkdeployment snapsync-nightly --ignore-not-found -o name")
                    [ "$STATE" = absent ] || echo flinkdeployment.flink.apache.org/snapsync-nightly ;;
                  "get flinkdeployment snapsync-nightly -o jsonpath={.status.jobStatus.state}")
                    [ "$STATE" = absent ] && { echo 'Error from server (NotFound)' >&2; exit 1; }
                    printf '%%s' "$STATE" ;;
                  "delete flinkdeployment snapsync-nightly --wait=true --timeout=15m") ;;
                  "create -f "*) [ -f "${3}" ] || exit 1 ;;
                  *) echo "stand-in kubectl: unexpected call: $*" >&2; exit 2 ;;
                esac
                """.formatted(log));
        Files.setPosixFilePermissions(kubectl, PosixFilePermissions.fromString("rwxr-xr-x"));
        ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", script.replace("/manifests/", manifests + "/"));
        pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        pb.environment().put("STATE", state);
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        List<String> calls = Files.exists(log) ? Files.readAllLines(log) : List.of();
        return new Outcome(p.exitValue(), calls, out);
    }

    @ParameterizedTest
    @ValueSource(strings = {"INITIALIZING", "CREATED", "RUNNING", "FAILING", "CANCELLING", "RESTARTING", "RECONCILING",
            "SUSPENDED", ""})
    void aRunThatHasNotEndedIsNeverReplaced(String state, @TempDir Path dir) throws Exception {
        Outcome o = runScript(dir, state);
        assertThat(o.exit()).as(o.output()).isNotZero();
        assertThat(o.calls()).noneMatch(c -> c.startsWith("delete") || c.startsWith("create"));
        assertThat(o.output()).contains("not replacing it");
    }

    @ParameterizedTest
    @ValueSource(strings = {"FINISHED", "FAILED", "CANCELED"})
    void anEndedRunIsDeletedThenANewOneCreated(String state, @TempDir Path dir) throws Exception {
        Outcome o = runScript(dir, state);
        assertThat(o.exit()).as(o.output()).isZero();
        Consumer<List<String>> order = calls -> {
            int del = calls.indexOf("delete flinkdeployment snapsync-nightly --wait=true --timeout=15m");
            int create = calls.size() - 1;
            assertThat(del).isNotNegative().isLessThan(create);
            assertThat(calls.get(create)).startsWith("create -f ").endsWith("flinkdeployment.yaml");
        };
        order.accept(o.calls());
    }

    @Test
    void theFirstRunIsCreated(@TempDir Path dir) throws Exception {
        Outcome o = runScript(dir, "absent");
        assertThat(o.exit()).as(o.output()).isZero();
        assertThat(o.calls()).noneMatch(c -> c.startsWith("delete"));
        assertThat(o.calls().get(o.calls().size() - 1)).startsWith("create -f ");
    }
}
