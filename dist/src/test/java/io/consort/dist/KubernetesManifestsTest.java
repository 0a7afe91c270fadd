package io.consort.dist;

import static org.assertj.core.api.Assertions.assertThat;

import io.consort.daemon.DaemonOptions;
import io.consort.transport.udp.DaemonConfigFile;
import io.consort.transport.udp.DnsDiscovery;
import io.consort.transport.udp.NetworkConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The Kubernetes manifests in deploy/k8s hang together: the StatefulSet is governed by the headless
 * service that publishes not-ready pods, selectors match the pod labels, the probes ask the admin
 * port for /ready and /live, and the ConfigMap's consortd.yaml is one consortd reads, whose ports
 * and discovery name are those the service and the pod declare. No schema validator (kubeconform,
 * a cluster's API server) is available offline here, so this checks the structure the deployment
 * relies on, not every field against the Kubernetes schema.
 */
class KubernetesManifestsTest {
    static final Path DIR = Path.of("../deploy/k8s");
    static final YAMLMapper YAML = YAMLMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    static List<JsonNode> docs = new ArrayList<>();

    @BeforeAll
    static void read() throws IOException {
        for (JsonNode r : YAML.readTree(DIR.resolve("kustomization.yaml").toFile()).path("resources")) {
            try (var it = YAML.readValues(YAML.createParser(DIR.resolve(r.asString()).toFile()), JsonNode.class)) {
                while (it.hasNextValue()) {
                    JsonNode d = it.nextValue();
                    if (d != null && !d.isNull()) {
                        docs.add(d);
                    }
                }
            }
        }
    }

    static List<JsonNode> kind(String kind) {
        return docs.stream().filter(d -> d.path("kind").asString().equals(kind)).toList();
    }

    static JsonNode statefulSet() {
        assertThat(kind("StatefulSet")).hasSize(1);
        return kind("StatefulSet").get(0);
    }

    static JsonNode headless() {
        List<JsonNode> h = kind("Service").stream().filter(s -> s.path("spec").path("clusterIP").asString().equals("None"))
                .toList();
        assertThat(h).hasSize(1);
        return h.get(0);
    }

    static JsonNode container() {
        JsonNode c = statefulSet().path("spec").path("template").path("spec").path("containers");
        assertThat(c.size()).isEqualTo(1);
        return c.get(0);
    }

    static int containerPort(String name) {
        for (JsonNode p : container().path("ports")) {
            if (p.path("name").asString().equals(name)) {
                return p.path("containerPort").intValue();
            }
        }
        throw new AssertionError("the container has no port named " + name);
    }

    static JsonNode configMapFile() {
        List<JsonNode> cms = kind("ConfigMap");
        assertThat(cms).hasSize(1);
        return YAML.readTree(cms.get(0).path("data").path("consortd.yaml").asString());
    }

    static boolean selects(JsonNode selector, JsonNode labels) {
        assertThat(selector.isObject() && !selector.isEmpty()).as("a selector").isTrue();
        for (String k : selector.propertyNames()) {
            if (!selector.get(k).equals(labels.get(k))) {
                return false;
            }
        }
        return true;
    }

    @Test
    void everyDocumentIsAKubernetesObjectWithANameAndEveryFileIsListed() throws IOException {
        for (JsonNode d : docs) {
            assertThat(d.path("apiVersion").asString()).isNotEmpty();
            assertThat(d.path("kind").asString()).isNotEmpty();
            assertThat(d.path("metadata").path("name").asString()).matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
        }
        try (Stream<Path> files = Files.list(DIR)) {
            List<String> yamls = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml"))
                    .filter(n -> !n.equals("kustomization.yaml")).sorted().toList();
            List<String> listed = new ArrayList<>();
            YAML.readTree(DIR.resolve("kustomization.yaml").toFile()).path("resources").forEach(r -> listed.add(r.asString()));
            assertThat(listed).containsExactlyInAnyOrderElementsOf(yamls);
        }
        assertThat(docs).extracting(d -> d.path("kind").asString()).contains("StatefulSet", "Service", "ConfigMap");
    }

    @Test
    void theStatefulSetIsGovernedByAHeadlessServiceThatPublishesNotReadyPods() {
        JsonNode sts = statefulSet();
        JsonNode service = headless();
        JsonNode labels = sts.path("spec").path("template").path("metadata").path("labels");

        assertThat(sts.path("apiVersion").asString()).isEqualTo("apps/v1");
        assertThat(sts.path("spec").path("serviceName").asString()).isEqualTo(service.path("metadata").path("name").asString());
        assertThat(service.path("spec").path("publishNotReadyAddresses").asBoolean()).isTrue();
        assertThat(selects(sts.path("spec").path("selector").path("matchLabels"), labels)).isTrue();
        for (JsonNode s : kind("Service")) {
            assertThat(selects(s.path("spec").path("selector"), labels)).as(s.path("metadata").path("name").asString()).isTrue();
        }
        for (JsonNode pdb : kind("PodDisruptionBudget")) {
            assertThat(selects(pdb.path("spec").path("selector").path("matchLabels"), labels)).isTrue();
        }
        // Every service port leads to a port of the pod, with the same protocol.
        for (JsonNode s : kind("Service")) {
            for (JsonNode p : s.path("spec").path("ports")) {
                String target = p.path("targetPort").asString();
                JsonNode cp = null;
                for (JsonNode c : container().path("ports")) {
                    if (c.path("name").asString().equals(target)) {
                        cp = c;
                    }
                }
                assertThat(cp).as("targetPort " + target).isNotNull();
                assertThat(cp.path("protocol").asString()).isEqualTo(p.path("protocol").asString());
            }
        }
    }

    @Test
    void thePodsNameIsTheDaemonsNameAndItsOrdinalTheId() {
        JsonNode sts = statefulSet();
        JsonNode c = container();
        List<String> args = new ArrayList<>();
        c.path("args").forEach(a -> args.add(a.asString()));

        assertThat(args).containsSubsequence("--name", "$(POD_NAME)");
        JsonNode env = c.path("env");
        assertThat(env.size()).isEqualTo(1);
        assertThat(env.get(0).path("name").asString()).isEqualTo("POD_NAME");
        assertThat(env.get(0).path("valueFrom").path("fieldRef").path("fieldPath").asString()).isEqualTo("metadata.name");
        String podZero = sts.path("metadata").path("name").asString() + "-0";
        assertThat(DnsDiscovery.idOf(podZero)).isZero();
        int replicas = sts.path("spec").path("replicas").intValue();
        assertThat(DnsDiscovery.idOf(sts.path("metadata").path("name").asString() + "-" + (replicas - 1)))
                .isEqualTo(replicas - 1);
        assertThat(c.path("image").asString()).isEqualTo(System.getProperty("consort.image", "consortd:0.1.0-SNAPSHOT"));
    }

    @Test
    void theProbesAskTheAdminPortTheConfigMapOpens() {
        JsonNode c = container();
        JsonNode admin = configMapFile().path("admin");
        assertThat(admin.path("address").asString()).isEqualTo("0.0.0.0");
        int adminPort = admin.path("port").intValue();

        JsonNode ready = c.path("readinessProbe").path("httpGet");
        JsonNode live = c.path("livenessProbe").path("httpGet");
        assertThat(ready.path("path").asString()).isEqualTo("/ready");
        assertThat(live.path("path").asString()).isEqualTo("/live");
        assertThat(containerPort(ready.path("port").asString())).isEqualTo(adminPort);
        assertThat(containerPort(live.path("port").asString())).isEqualTo(adminPort);
    }

    @Test
    void theConfigMapIsAConfigurationConsortdReadsWithThePortsTheManifestsDeclare(@TempDir Path dir) throws IOException {
        ObjectNode file = (ObjectNode) configMapFile();
        // admin belongs to the metrics work of issue 14 (item 1); the rest must parse as consortd reads it today.
        file.remove("admin");
        Path f = dir.resolve("consortd.yaml");
        YAML.writeValue(f.toFile(), file);
        DaemonConfigFile.Parsed parsed = DaemonConfigFile.parse(f, DaemonOptions.defaults());

        assertThat(parsed.options().host()).isEqualTo("0.0.0.0");
        assertThat(parsed.options().port()).isEqualTo(containerPort("client"));
        NetworkConfig.Discovery discovery = parsed.network().discovery();
        assertThat(discovery).isNotNull();
        assertThat(discovery.port()).isEqualTo(containerPort("daemon"));
        String service = headless().path("metadata").path("name").asString();
        JsonNode daemonPort = null;
        for (JsonNode p : headless().path("spec").path("ports")) {
            if (p.path("targetPort").asString().equals("daemon")) {
                daemonPort = p;
            }
        }
        assertThat(daemonPort).isNotNull();
        // Kubernetes publishes _<port name>._<protocol>.<service> for a headless service's named port.
        assertThat(discovery.dns().srvName()).isEqualTo("_" + daemonPort.path("name").asString() + "._"
                + daemonPort.path("protocol").asString().toLowerCase(java.util.Locale.ROOT) + "." + service);
        assertThat(daemonPort.path("port").intValue()).isEqualTo(discovery.port());

        // The file is where --config says: the ConfigMap's key under the volume's mount path.
        JsonNode c = container();
        List<String> args = new ArrayList<>();
        c.path("args").forEach(a -> args.add(a.asString()));
        String config = args.get(args.indexOf("--config") + 1);
        JsonNode mount = c.path("volumeMounts").get(0);
        JsonNode volume = statefulSet().path("spec").path("template").path("spec").path("volumes").get(0);
        assertThat(mount.path("name").asString()).isEqualTo(volume.path("name").asString());
        assertThat(volume.path("configMap").path("name").asString())
                .isEqualTo(kind("ConfigMap").get(0).path("metadata").path("name").asString());
        assertThat(config).isEqualTo(mount.path("mountPath").asString() + "/consortd.yaml");
    }
}
