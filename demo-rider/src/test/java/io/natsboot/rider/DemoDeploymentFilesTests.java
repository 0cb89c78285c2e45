package io.natsboot.rider;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import javax.xml.parsers.DocumentBuilderFactory;

import io.natsboot.server.config.ClusterOptions;
import io.natsboot.server.config.CommandLine;
import io.natsboot.server.config.ServerOptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The deployment files in {@code config/} against what the build produces: image names, main classes and
 * ports from the Jib configuration in the poms; the servers' commands parsed by the server's own command
 * line parser; rider commands checked against the roles, types and ports the application knows; every
 * host a file names is a service (compose) or pod/Service (Kubernetes) that exists.
 */
class DemoDeploymentFilesTests {

    static final Path CONFIG = Path.of("..", "config");
    static final Set<String> ROLES = Set.of("api", "manager", "agent", "tasks-api", "tasks-worker");
    static final Set<String> HTTP_ROLES = Set.of("api", "tasks-api");
    static final String ROUTE_USER = "ruser";
    static final String ROUTE_PASSWORD = "T0pS3cr3t";

    record JibImage(String image, String mainClass, Set<Integer> ports, List<String> args) {
    }

    static JibImage demo;
    static JibImage server;
    static int defaultHttpPort;

    @BeforeAll
    static void readTheBuild() throws Exception {
        demo = jib(Path.of("pom.xml"));
        server = jib(CONFIG.resolve("images/nats-server/pom.xml"));
        Properties app = new Properties();
        try (InputStream in = DemoDeploymentFilesTests.class.getResourceAsStream("/application.properties")) {
            app.load(in);
        }
        defaultHttpPort = Integer.parseInt(app.getProperty("server.port"));
    }

    /** The Jib plugin's to.image (with ${project.version} resolved), main class, ports and args of a pom. */
    static JibImage jib(Path pom) throws Exception {
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile());
        Element project = doc.getDocumentElement();
        String version = child(project, "version");
        if (version == null) {
            version = child(first(project, "parent"), "version");
        }
        NodeList plugins = project.getElementsByTagName("plugin");
        for (int i = 0; i < plugins.getLength(); i++) {
            Element plugin = (Element) plugins.item(i);
            if ("jib-maven-plugin".equals(child(plugin, "artifactId"))) {
                Element conf = first(plugin, "configuration");
                Element container = first(conf, "container");
                Set<Integer> ports = new HashSet<>();
                for (String p : texts(first(container, "ports"), "port")) {
                    ports.add(Integer.parseInt(p));
                }
                List<String> args = first(container, "args") == null ? List.of() : texts(first(container, "args"), "arg");
                return new JibImage(child(first(conf, "to"), "image").replace("${project.version}", version),
                        child(container, "mainClass"), ports, args);
            }
        }
        throw new AssertionError("no jib-maven-plugin in " + pom);
    }

    @Test
    void jibImagesRunTheRealMainClasses() throws Exception {
        assertThat(demo.image()).startsWith("natsboot/demo-rider:");
        assertThat(demo.mainClass()).isEqualTo(RiderApplication.class.getName());
        assertThat(demo.ports()).contains(defaultHttpPort, 8080);
        assertThat(server.image()).startsWith("natsboot/nats-server:");
        assertThat(Class.forName(server.mainClass()).getMethod("main", String[].class)).isNotNull();
        assertThat(server.mainClass()).isEqualTo("io.natsboot.server.NatsServerMain");
        assertThat(server.ports()).containsExactlyInAnyOrder(4222, 6222, 8222);
        // The image's default arguments are valid flags and turn monitoring (the probes' port) on.
        assertThat(nats(server.args()).httpPort()).isEqualTo(8222);
    }

    // ---- docker compose ----

    @Test
    void composeStackMatchesTheBuild() throws IOException {
        Map<String, Object> compose = yaml(CONFIG.resolve("docker-compose.yml"));
        Map<String, Map<String, Object>> services = maps(compose.get("services"));

        Map<String, ServerOptions> nodes = new LinkedHashMap<>();
        Set<String> riders = new HashSet<>();
        for (Map.Entry<String, Map<String, Object>> e : services.entrySet()) {
            String image = (String) e.getValue().get("image");
            if (image.equals(server.image())) {
                nodes.put(e.getKey(), nats(strings(e.getValue().get("command"))));
            } else if (image.equals(demo.image())) {
                riders.add(e.getKey());
            } else {
                assertThat(image).as("service %s: not one of our images, so a pinned third-party one", e.getKey())
                        .doesNotStartWith("natsboot/").matches("[a-z0-9./-]+:[A-Za-z0-9.-]+");
            }
        }
        assertThat(nodes).hasSize(3);
        assertThat(riders).contains("api-server", "rides-manager", "driver-agent-regular", "driver-agent-mini",
                "tasks-api", "tasks-worker");

        checkCluster(nodes, routeHost -> nodes.containsKey(routeHost));
        for (String node : nodes.keySet()) {
            assertThat(server.ports()).containsAll(publishedContainerPorts(services.get(node)));
        }

        Map<String, Integer> httpPorts = new LinkedHashMap<>();
        for (String name : riders) {
            Map<String, Object> svc = services.get(name);
            Map<String, String> env = svc.get("environment") == null ? Map.of() : stringMap(svc.get("environment"));
            RiderArgs args = rider(strings(svc.get("command")), env);
            args.servers().forEach(uri -> {
                assertThat(nodes).as("%s connects to %s", name, uri).containsKey(uri.getHost());
                assertThat(uri.getPort()).isEqualTo(nodes.get(uri.getHost()).port());
            });
            assertThat(demo.ports()).as("%s listens on a port the image exposes", name).contains(args.httpPort());
            assertThat(publishedContainerPorts(svc)).allSatisfy(p -> assertThat(p).isEqualTo(args.httpPort()));
            httpPorts.put(name, args.httpPort());
        }

        checkPrometheus(services, nodes, httpPorts);
        checkGrafana(services);
    }

    private static void checkPrometheus(Map<String, Map<String, Object>> services, Map<String, ServerOptions> nodes,
            Map<String, Integer> httpPorts) throws IOException {
        Map<String, Object> prom = yaml(CONFIG.resolve("prometheus/prometheus.yml"));
        String mount = strings(services.get("prometheus").get("volumes")).get(0);
        assertThat(mount).startsWith("./prometheus/prometheus.yml:/etc/prometheus/prometheus.yml");
        Set<String> scrapedNodes = new HashSet<>();
        Set<String> scrapedRiders = new HashSet<>();
        for (Map<String, Object> job : maps(prom.get("scrape_configs")).values()) {
            if ("nats".equals(job.get("job_name"))) {
                for (Map<String, Object> sc : maps(job.get("static_configs")).values()) {
                    for (String target : strings(sc.get("targets"))) {
                        String exporter = target.substring(0, target.indexOf(':'));
                        assertThat(target).endsWith(":7777");
                        List<String> cmd = strings(services.get(exporter).get("command"));
                        URI varz = URI.create(cmd.get(cmd.size() - 1));
                        assertThat(nodes).containsKey(varz.getHost());
                        assertThat(varz.getPort()).isEqualTo(nodes.get(varz.getHost()).httpPort());
                        scrapedNodes.add(varz.getHost());
                    }
                }
            } else {
                assertThat(job.get("metrics_path")).isEqualTo("/actuator/prometheus");
                for (Map<String, Object> sd : maps(job.get("dns_sd_configs")).values()) {
                    for (String name : strings(sd.get("names"))) {
                        assertThat(httpPorts).containsKey(name);
                        assertThat(sd.get("port")).as("scrape port of %s", name).isEqualTo(httpPorts.get(name));
                        scrapedRiders.add(name);
                    }
                }
            }
        }
        assertThat(scrapedNodes).isEqualTo(nodes.keySet());
        assertThat(scrapedRiders).isEqualTo(httpPorts.keySet());
    }

    private static void checkGrafana(Map<String, Map<String, Object>> services) throws IOException {
        Map<String, Object> ds = maps(yaml(CONFIG.resolve("grafana/provisioning/datasources/prometheus.yml"))
                .get("datasources")).values().iterator().next();
        URI url = URI.create((String) ds.get("url"));
        assertThat(services).containsKey(url.getHost());
        assertThat(url.getPort()).isEqualTo(9090); // Prometheus inside the network
        Map<String, Object> provider = maps(yaml(CONFIG.resolve("grafana/provisioning/dashboards/dashboards.yml"))
                .get("providers")).values().iterator().next();
        String path = (String) maps(provider).get("options").get("path");
        assertThat(strings(services.get("grafana").get("volumes"))).contains("./grafana/dashboards:" + path + ":ro");
        JsonNode dash = JsonMapper.builder().build().readTree(Files.readString(MetricsAndProbesTests.DASHBOARD));
        for (JsonNode panel : dash.get("panels")) {
            assertThat(panel.get("datasource").get("uid").asString()).isEqualTo(ds.get("uid"));
        }
    }

    // ---- Kubernetes ----

    @Test
    void kubernetesManifestsMatchTheBuild() throws IOException {
        List<Map<String, Object>> docs = new ArrayList<>();
        for (String file : List.of("k8s/nats-cluster.yaml", "k8s/rider.yaml")) {
            for (Object doc : new Yaml().loadAll(Files.readString(CONFIG.resolve(file)))) {
                docs.add(asMap(doc));
            }
        }
        Map<String, Map<String, Object>> servicesByName = new LinkedHashMap<>();
        Map<String, Object> statefulSet = null;
        List<Map<String, Object>> deployments = new ArrayList<>();
        for (Map<String, Object> d : docs) {
            String name = (String) asMap(d.get("metadata")).get("name");
            switch ((String) d.get("kind")) {
                case "Service" -> servicesByName.put(name, d);
                case "StatefulSet" -> statefulSet = d;
                case "Deployment" -> deployments.add(d);
                default -> throw new AssertionError("unexpected kind " + d.get("kind"));
            }
        }
        assertThat(statefulSet).isNotNull();

        // The cluster: headless Service, pods nats-0..n-1 routing to each other, probes on /healthz.
        Map<String, Object> stsSpec = asMap(statefulSet.get("spec"));
        String stsName = (String) asMap(statefulSet.get("metadata")).get("name");
        int replicas = (Integer) stsSpec.get("replicas");
        assertThat(replicas).isEqualTo(3);
        Map<String, Object> headless = servicesByName.get((String) stsSpec.get("serviceName"));
        assertThat(asMap(headless.get("spec")).get("clusterIP")).isEqualTo("None");
        Map<String, Object> podTemplate = asMap(stsSpec.get("template"));
        Map<String, Object> podLabels = asMap(asMap(podTemplate.get("metadata")).get("labels"));
        assertThat(podLabels).containsAllEntriesOf(stringObjectMap(asMap(headless.get("spec")).get("selector")));
        Map<String, Object> container = maps(asMap(podTemplate.get("spec")).get("containers")).values().iterator().next();
        assertThat(container.get("image")).isEqualTo(server.image());
        ServerOptions opts = nats(strings(container.get("args")));
        Set<Integer> containerPorts = containerPorts(container);
        assertThat(server.ports()).containsAll(containerPorts);
        assertThat(containerPorts).contains(opts.port(), opts.httpPort(), opts.cluster().port());
        for (String probe : List.of("livenessProbe", "readinessProbe")) {
            Map<String, Object> get = asMap(asMap(container.get(probe)).get("httpGet"));
            assertThat(get.get("path")).isEqualTo("/healthz");
            assertThat(get.get("port")).isEqualTo(opts.httpPort());
        }
        Map<String, ServerOptions> pods = new LinkedHashMap<>();
        for (int i = 0; i < replicas; i++) {
            pods.put(stsName + "-" + i + "." + stsSpec.get("serviceName"), opts);
        }
        checkCluster(pods, pods::containsKey);
        assertThat(opts.cluster().routes()).hasSize(replicas);

        // The rider roles: one Deployment each, on the demo image, probes on the Actuator port.
        Set<String> roles = new HashSet<>();
        for (Map<String, Object> dep : deployments) {
            String name = (String) asMap(dep.get("metadata")).get("name");
            Map<String, Object> c = maps(asMap(asMap(asMap(dep.get("spec")).get("template")).get("spec"))
                    .get("containers")).values().iterator().next();
            assertThat(c.get("image")).as(name).isEqualTo(demo.image());
            Map<String, String> env = new LinkedHashMap<>();
            if (c.get("env") != null) {
                for (Map<String, Object> e : maps(c.get("env")).values()) {
                    env.put((String) e.get("name"), (String) e.get("value"));
                }
            }
            RiderArgs args = rider(strings(c.get("args")), env);
            roles.addAll(args.roles());
            assertThat(containerPorts(c)).containsExactly(args.httpPort());
            assertThat(demo.ports()).contains(args.httpPort());
            assertThat(asMap(asMap(c.get("livenessProbe")).get("httpGet"))).containsEntry("path", "/actuator/health/liveness")
                    .containsEntry("port", args.httpPort());
            assertThat(asMap(asMap(c.get("readinessProbe")).get("httpGet"))).containsEntry("path", "/actuator/health/readiness")
                    .containsEntry("port", args.httpPort());
            for (URI uri : args.servers()) {
                Map<String, Object> svc = servicesByName.get(uri.getHost());
                assertThat(svc).as("%s connects to Service %s", name, uri.getHost()).isNotNull();
                assertThat(podLabels).containsAllEntriesOf(stringObjectMap(asMap(svc.get("spec")).get("selector")));
                assertThat(uri.getPort()).isEqualTo(opts.port());
            }
        }
        assertThat(roles).isEqualTo(ROLES);
    }

    // ---- shared checks ----

    /** Route auth on every node, one cluster name and port, routes to existing nodes only, and a connected mesh. */
    static void checkCluster(Map<String, ServerOptions> nodes, java.util.function.Predicate<String> exists) {
        Set<String> names = new HashSet<>();
        Map<String, Set<String>> links = new LinkedHashMap<>();
        for (Map.Entry<String, ServerOptions> e : nodes.entrySet()) {
            ClusterOptions c = e.getValue().cluster();
            assertThat(c).as("%s is clustered", e.getKey()).isNotNull();
            assertThat(c.user()).isEqualTo(ROUTE_USER);
            assertThat(c.password()).isEqualTo(ROUTE_PASSWORD);
            assertThat(server.ports()).contains(c.port(), e.getValue().port(), e.getValue().httpPort());
            names.add(c.name());
            for (URI route : c.routes()) {
                assertThat(exists.test(route.getHost())).as("%s routes to %s", e.getKey(), route).isTrue();
                assertThat(route.getUserInfo()).isEqualTo(ROUTE_USER + ":" + ROUTE_PASSWORD);
                assertThat(route.getPort()).isEqualTo(nodes.get(route.getHost()).cluster().port());
                links.computeIfAbsent(e.getKey(), k -> new HashSet<>()).add(route.getHost());
                links.computeIfAbsent(route.getHost(), k -> new HashSet<>()).add(e.getKey());
            }
        }
        assertThat(names).hasSize(1);
        // Gossip completes the mesh as long as the route graph is connected.
        Set<String> seen = new HashSet<>();
        List<String> frontier = new ArrayList<>(List.of(nodes.keySet().iterator().next()));
        while (!frontier.isEmpty()) {
            String n = frontier.remove(0);
            if (seen.add(n)) {
                frontier.addAll(links.getOrDefault(n, Set.of()));
            }
        }
        assertThat(seen).isEqualTo(nodes.keySet());
    }

    static ServerOptions nats(List<String> args) {
        CommandLine.Result r = CommandLine.parse(args.toArray(String[]::new));
        assertThat(r.options()).as("nats-server flags %s run a server: %s", args, r).isNotNull();
        return r.options();
    }

    record RiderArgs(List<String> roles, int httpPort, List<URI> servers) {
    }

    /** {@code --key=value} arguments as Spring Boot reads them, checked against what the application knows. */
    static RiderArgs rider(List<String> args, Map<String, String> env) {
        Map<String, String> props = new LinkedHashMap<>();
        for (String a : args) {
            assertThat(a).as("Spring Boot argument").startsWith("--").contains("=");
            props.put(a.substring(2, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
        }
        assertThat(props.keySet()).as("known properties").allSatisfy(k -> assertThat(k).isIn("rider.roles", "rider.type",
                "rider.managers", "natsboot.client.servers", "server.port", "spring.main.web-application-type"));
        List<String> roles = Arrays.stream(props.get("rider.roles").split(",")).map(String::trim).toList();
        assertThat(ROLES).containsAll(roles);
        if (props.containsKey("rider.type")) {
            assertThat(roles).contains("agent");
            assertThat(DriverAgent.TYPES).contains(props.get("rider.type"));
        }
        // Without an HTTP role the application turns the web server off unless told otherwise; the
        // deployments want it on for probes and metrics.
        if (roles.stream().noneMatch(HTTP_ROLES::contains)) {
            assertThat(props).containsEntry("spring.main.web-application-type", "reactive");
        }
        String servers = props.containsKey("natsboot.client.servers") ? props.get("natsboot.client.servers") : env.get("NATS_URI");
        assertThat(servers).as("a server list (flag or NATS_URI), so the embedded server is off").isNotBlank();
        List<URI> uris = Arrays.stream(servers.split(",")).map(String::trim).map(URI::create).toList();
        assertThat(uris).allSatisfy(u -> assertThat(u.getScheme()).isEqualTo("nats"));
        int port = props.containsKey("server.port") ? Integer.parseInt(props.get("server.port")) : defaultHttpPort;
        return new RiderArgs(roles, port, uris);
    }

    // ---- small YAML/XML helpers ----

    static Map<String, Object> yaml(Path file) throws IOException {
        return asMap(new Yaml().load(Files.readString(file)));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> asMap(Object o) {
        assertThat(o).isInstanceOf(Map.class);
        return (Map<String, Object>) o;
    }

    /** A YAML map of maps, or a list of maps keyed by index. */
    @SuppressWarnings("unchecked")
    static Map<String, Map<String, Object>> maps(Object o) {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        if (o instanceof Map<?, ?> m) {
            m.forEach((k, v) -> {
                if (v instanceof Map) {
                    out.put(String.valueOf(k), (Map<String, Object>) v);
                }
            });
        } else if (o instanceof List<?> l) {
            for (int i = 0; i < l.size(); i++) {
                out.put(String.valueOf(i), (Map<String, Object>) l.get(i));
            }
        }
        return out;
    }

    static List<String> strings(Object o) {
        assertThat(o).isInstanceOf(List.class);
        return ((List<?>) o).stream().map(String::valueOf).toList();
    }

    static Map<String, String> stringMap(Object o) {
        Map<String, String> out = new LinkedHashMap<>();
        asMap(o).forEach((k, v) -> out.put(k, String.valueOf(v)));
        return out;
    }

    static Map<String, Object> stringObjectMap(Object o) {
        return new LinkedHashMap<>(asMap(o));
    }

    static Set<Integer> publishedContainerPorts(Map<String, Object> service) {
        Set<Integer> ports = new HashSet<>();
        if (service.get("ports") != null) {
            for (String p : strings(service.get("ports"))) {
                ports.add(Integer.parseInt(p.substring(p.lastIndexOf(':') + 1)));
            }
        }
        return ports;
    }

    static Set<Integer> containerPorts(Map<String, Object> container) {
        Set<Integer> ports = new HashSet<>();
        for (Map<String, Object> p : maps(container.get("ports")).values()) {
            ports.add((Integer) p.get("containerPort"));
        }
        return ports;
    }

    static String child(Element parent, String name) {
        Element e = first(parent, name);
        return e == null ? null : e.getTextContent().trim();
    }

    /** The first direct child element with that name. */
    static Element first(Element parent, String name) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                return e;
            }
        }
        return null;
    }

    static List<String> texts(Element parent, String name) {
        List<String> out = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                out.add(e.getTextContent().trim());
            }
        }
        return out;
    }
}
