package io.natsboot.server.auth.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.natsboot.server.config.ConfigFileOptions;
import io.natsboot.server.support.Ports;
import io.natsboot.server.support.RequiredBinaries;
import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.RunningServer;
import io.natsboot.server.support.TrustChain;
import io.natsboot.server.support.Waits;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The directory resolvers between the servers of a cluster, nats-server 2.9.10 nodes and ours mixed and ours
 * alone: a JWT pushed to one full resolver ({@code $SYS.REQ.CLAIMS.UPDATE}) is stored by every one; a full
 * resolver that joins later catches up through {@code $SYS.REQ.CLAIMS.PACK} (its {@code interval}); a server
 * that does not hold an account asks the others ({@code $SYS.REQ.ACCOUNT.<acc>.CLAIMS.LOOKUP}) when a user of
 * it logs in, the {@code cache} resolver always so.
 */
@RequiresBinary("nats-server")
class ResolverSyncTest {
    private final TrustChain chain = TrustChain.create();
    private final TrustChain.Account sys = chain.account("SYS");
    private final String sysJwt = sys.jwt();
    private final List<AutoCloseable> started = new ArrayList<>();

    @AfterEach
    void stopAll() throws Exception {
        for (int i = started.size() - 1; i >= 0; i--) {
            started.get(i).close();
        }
    }

    /** One node: its client port, cluster URL and resolver directory. */
    private record Node(String name, int port, String routeUrl, Path dir) {
        Path file(TrustChain.Account a) {
            return dir.resolve(a.publicKey() + ".jwt");
        }
    }

    /** The configuration of a node with a {@code type} resolver in {@code dir}. */
    private Path conf(Path dir, String resolver) throws Exception {
        Files.createDirectories(dir);
        Path op = dir.resolve("op.jwt");
        Files.writeString(op, chain.operatorJwt());
        Path conf = dir.resolve("server.conf");
        Files.writeString(conf, "operator: \"" + op + "\"\nsystem_account: " + sys.publicKey() + "\nresolver: {"
                + resolver + ", dir: \"" + dir.resolve("jwt") + "\"}\nresolver_preload: {\n  " + sys.publicKey()
                + ": \"" + sysJwt + "\"\n}\n");
        return conf;
    }

    private Node goNode(String name, String resolver, String... routes) throws Exception {
        Path dir = Files.createTempDirectory("sync-" + name);
        Path conf = conf(dir, resolver);
        int port = Ports.free();
        int clusterPort = Ports.free();
        List<String> cmd = new ArrayList<>(List.of(RequiredBinaries.path("nats-server").toString(), "-c",
                conf.toString(), "-a", "127.0.0.1", "-p", Integer.toString(port), "-n", name, "--cluster",
                "nats://127.0.0.1:" + clusterPort, "--cluster_name", "sync", "-D"));
        if (routes.length > 0) {
            cmd.add("--routes");
            cmd.add(String.join(",", routes));
        }
        Path log = dir.resolve("server.log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        started.add(() -> {
            p.destroy();
            p.waitFor(5, TimeUnit.SECONDS);
        });
        Waits.forLogLine(p, log, "Server is ready", Duration.ofSeconds(10));
        return new Node(name, port, "nats://127.0.0.1:" + clusterPort, dir.resolve("jwt"));
    }

    private Node ourNode(String name, String resolver, String... routes) throws Exception {
        Path dir = Files.createTempDirectory("sync-" + name);
        Path conf = conf(dir, resolver);
        RunningServer s = RunningServer.start(b -> {
            try {
                assertThat(ConfigFileOptions.load(conf.toString(), b).errors()).isEmpty();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return b.serverName(name).clusterListen("127.0.0.1:-1").clusterName("sync").routes(List.of(routes));
        });
        started.add(s);
        return new Node(name, s.port(), "nats://127.0.0.1:" + s.server().cluster().port(), dir.resolve("jwt"));
    }

    private Connection systemUser(Node n) throws Exception {
        TrustChain.User su = sys.user("sysu-" + n.name());
        Connection c = Nats.connect(new Options.Builder().server("nats://127.0.0.1:" + n.port())
                .authHandler(Nats.staticCredentials(su.jwt().toCharArray(), su.seed().toCharArray()))
                .maxReconnects(0).build());
        started.add(c::close);
        return c;
    }

    /** Pushes {@code jwt} on {@code n} and returns the first answer. */
    private String push(Node n, String jwt) throws Exception {
        Message m = systemUser(n).request("$SYS.REQ.CLAIMS.UPDATE", jwt.getBytes(StandardCharsets.UTF_8),
                Duration.ofSeconds(3));
        assertThat(m).as("an answer to the update on " + n.name()).isNotNull();
        return new String(m.getData(), StandardCharsets.UTF_8);
    }

    /** Until every node has a file holding exactly {@code jwt} for {@code a}. */
    private static void awaitStored(TrustChain.Account a, String jwt, Node... nodes) {
        for (Node n : nodes) {
            Waits.upTo(a.name + "'s JWT in " + n.name() + "'s directory", Duration.ofSeconds(15))
                    .until(() -> Waits.read(n.file(a)).strip().equals(jwt));
        }
    }

    /** Until both nodes' system accounts see each other's resolver subscriptions (the route is up). */
    private void awaitRoute(Node a, Node b) throws Exception {
        Connection onA = systemUser(a);
        Waits.upTo("the route between " + a.name() + " and " + b.name(), Duration.ofSeconds(15)).until(() -> {
            Message m = onA.request("$SYS.REQ.SERVER.PING", new byte[0], Duration.ofMillis(500));
            // two answers (one per node) need the route; one answer means not yet
            return m != null && countPingAnswers(onA) >= 2;
        });
    }

    private static int countPingAnswers(Connection c) throws Exception {
        String inbox = c.createInbox();
        io.nats.client.Subscription s = c.subscribe(inbox);
        c.publish("$SYS.REQ.SERVER.PING", inbox, new byte[0]);
        int n = 0;
        while (s.nextMessage(Duration.ofMillis(300)) != null) {
            n++;
        }
        s.unsubscribe();
        return n;
    }

    private static String login(Node n, TrustChain.Account a) throws Exception {
        return OperatorModeDifferentialTest.session(n.port(), a.user("u-" + n.name()), "", "", true);
    }

    /** Ops sent in the same write as the CONNECT: they wait for the account's lookup, then run in order. */
    private static final String PIPELINED = "SUB x 1\r\nPUB x 2\r\nhi\r\n";

    private static String loginPipelined(Node n, TrustChain.Account a) throws Exception {
        return OperatorModeDifferentialTest.session(n.port(), a.user("p-" + n.name()), "", PIPELINED, true);
    }

    private static String updated(TrustChain.Account a) {
        return "{\"data\":{\"account\":\"" + a.publicKey() + "\",\"code\":200,\"message\":\"jwt updated\"";
    }

    @Test
    void pushesReachEveryFullResolverOfAMixedCluster() throws Exception {
        Node go = goNode("G1", "type: full");
        Node ours = ourNode("J1", "type: full", go.routeUrl());
        awaitRoute(ours, go);
        TrustChain.Account b = chain.account("B");
        String bJwt = b.jwt();
        assertThat(push(ours, bJwt)).startsWith(updated(b));
        awaitStored(b, bJwt, ours, go);
        TrustChain.Account c = chain.account("C");
        String cJwt = c.jwt();
        assertThat(push(go, cJwt)).startsWith(updated(c));
        awaitStored(c, cJwt, ours, go);
        assertThat(login(ours, c)).isEqualTo("PONG\r\n");
        assertThat(login(go, b)).isEqualTo("PONG\r\n");
    }

    /** nats-server asking (late joiner, lookups) and ours answering; then the other way round. */
    @Test
    void lateJoinersCatchUpAndMissesAreLookedUpInAMixedCluster() throws Exception {
        TrustChain.Account b = chain.account("B");
        String bJwt = b.jwt();
        TrustChain.Account c = chain.account("C");
        String cJwt = c.jwt();
        TrustChain.Account d = chain.account("D");
        String dJwt = d.jwt();
        // our node holds B and C; nats-server nodes join it
        Node ours = ourNode("J1", "type: full");
        push(ours, bJwt);
        push(ours, cJwt);
        Node goLate = goNode("G2", "type: full, interval: \"1s\"", ours.routeUrl());
        awaitStored(b, bJwt, goLate);
        awaitStored(c, cJwt, goLate);
        stopAll();
        started.clear();
        // a nats-server node holds B and C; our nodes join it
        Node go = goNode("G1", "type: full");
        push(go, bJwt);
        push(go, cJwt);
        push(go, dJwt);
        Node oursLate = ourNode("J2", "type: full, interval: \"1s\"", go.routeUrl());
        awaitStored(b, bJwt, oursLate);
        awaitStored(c, cJwt, oursLate);
        // no sync for an hour: a login looks the account up
        Node oursMiss = ourNode("J3", "type: full, interval: \"1h\"", go.routeUrl());
        awaitRoute(oursMiss, go);
        assertThat(login(oursMiss, b)).isEqualTo("PONG\r\n");
        assertThat(oursMiss.file(b)).exists();
        Node oursCache = ourNode("J4", "type: cache", go.routeUrl());
        awaitRoute(oursCache, go);
        assertThat(login(oursCache, c)).isEqualTo("PONG\r\n");
        assertThat(Waits.read(oursCache.file(c)).strip()).isEqualTo(cJwt);
        // an account nobody holds: the lookup times out and the login fails, as on nats-server
        TrustChain.Account nobody = chain.account("NOBODY");
        Node goCache = goNode("G3", "type: cache", go.routeUrl());
        awaitRoute(goCache, go);
        // ops pipelined with the CONNECT wait for the lookup on both
        String theirs = loginPipelined(goCache, d);
        assertThat(theirs).isEqualTo("MSG x 1 2\r\nhi\r\nPONG\r\n");
        assertThat(loginPipelined(oursCache, d)).isEqualTo(theirs);
        String violation = "-ERR 'Authorization Violation'\r\n<closed>";
        assertThat(login(goCache, nobody)).isEqualTo(violation);
        assertThat(login(oursCache, nobody)).isEqualTo(violation);
    }

    /**
     * A user of an importing account logs in on a server that holds neither the importer nor the exporter: both
     * are looked up, the import is wired, the exporter's messages arrive; the same on a nats-server node and ours.
     */
    @Test
    void theExportersOfAnImporterAreLookedUpToo() throws Exception {
        TrustChain.Account e = chain.account("E", n -> n.put("exports", List.of(
                Map.of("name", "ev", "subject", "ev.>", "type", "stream"))));
        TrustChain.Account i = chain.account("I", n -> n.put("imports", List.of(
                Map.of("name", "ev", "subject", "ev.>", "account", e.publicKey(), "type", "stream"))));
        Node holder = ourNode("J1", "type: full");
        push(holder, e.jwt());
        push(holder, i.jwt());
        List<String> seen = new ArrayList<>();
        for (Node n : List.of(goNode("G2", "type: full, interval: \"1h\"", holder.routeUrl()),
                ourNode("J2", "type: full, interval: \"1h\"", holder.routeUrl()))) {
            awaitRoute(holder, n);
            try (io.natsboot.server.support.RawClient importer = loggedIn(n, i.user("i-" + n.name()))) {
                importer.send("SUB ev.> 1\r\nPING\r\n");
                String pong = importer.readLine();
                String published = OperatorModeDifferentialTest.session(n.port(), e.user("e-" + n.name()), "",
                        "PUB ev.1 2\r\nhi\r\n", true);
                importer.send("PING\r\n");
                seen.add(n.name() + ": " + pong + published + OperatorModeDifferentialTest.untilPongOrClose(importer));
            }
        }
        assertThat(seen).containsExactly("G2: PONG\r\nPONG\r\nMSG ev.1 1 2\r\nhi\r\nPONG\r\n",
                "J2: PONG\r\nPONG\r\nMSG ev.1 1 2\r\nhi\r\nPONG\r\n");
    }

    private static io.natsboot.server.support.RawClient loggedIn(Node n, TrustChain.User u) throws Exception {
        io.natsboot.server.support.RawClient c = new io.natsboot.server.support.RawClient(n.port());
        String nonce = c.readInfo().replaceAll("(?s).*\"nonce\":\"([^\"]*)\".*", "$1");
        c.send("CONNECT {\"verbose\":false,\"pedantic\":false,\"jwt\":\"" + u.jwt() + "\",\"sig\":\""
                + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                        u.key.sign(nonce.getBytes(StandardCharsets.US_ASCII))) + "\"}\r\nPING\r\n");
        assertThat(c.readLine()).as("login of " + u.name + " on " + n.name()).isEqualTo("PONG\r\n");
        return c;
    }

    /**
     * A cache resolver takes pushes only for the accounts in use: {@code jwt update cache skipped} before a user
     * of the account logged in, {@code jwt updated cache} after; the same answers from nats-server and ours.
     */
    @Test
    void aCacheTakesPushesOnlyForAccountsInUse() throws Exception {
        TrustChain.Account b = chain.account("B");
        List<List<String>> answers = new ArrayList<>();
        for (boolean reference : new boolean[] {true, false}) {
            Node n = reference ? goNode("G", "type: cache") : ourNode("J", "type: cache");
            Files.writeString(n.file(b), b.jwt()); // in the cache's directory, not in use yet
            List<String> out = new ArrayList<>();
            out.add(withoutServer(push(n, b.jwt())));
            out.add(login(n, b));
            out.add(withoutServer(push(n, b.jwt())));
            out.add(withoutServer(new String(systemUser(n).request("$SYS.REQ.ACCOUNT." + b.publicKey()
                    + ".CLAIMS.UPDATE", "garbage".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(3)).getData(),
                    StandardCharsets.UTF_8)));
            answers.add(out);
        }
        assertThat(answers.get(0)).containsExactly(
                "{\"data\":{\"account\":\"" + b.publicKey() + "\",\"code\":200,\"message\":\"jwt update cache skipped\"}}",
                "PONG\r\n",
                "{\"data\":{\"account\":\"" + b.publicKey() + "\",\"code\":200,\"message\":\"jwt updated cache\"}}",
                "{\"error\":{\"account\":\"" + b.publicKey() + "\",\"code\":500,\"description\":"
                        + "\"jwt update cache resulted in error - expected 3 chunks\"}}");
        assertThat(answers.get(1)).isEqualTo(answers.get(0));
    }

    private static String withoutServer(String json) {
        int at = json.indexOf(",\"server\":{");
        return at < 0 ? json : json.substring(0, at) + "}";
    }

    @Test
    void ourNodesAloneSyncPushesLateJoinersAndLookups() throws Exception {
        Node first = ourNode("J1", "type: full");
        Node second = ourNode("J2", "type: full", first.routeUrl());
        awaitRoute(first, second);
        TrustChain.Account b = chain.account("B");
        String bJwt = b.jwt();
        assertThat(push(first, bJwt)).startsWith(updated(b));
        awaitStored(b, bJwt, first, second);
        // a newer JWT of B replaces the old one everywhere; an older one pushed later is not taken by the sync
        b.issuedAt = System.currentTimeMillis() / 1000 + 1;
        String newer = b.jwt();
        push(second, newer);
        awaitStored(b, newer, first, second);
        Node late = ourNode("J3", "type: full, interval: \"1s\"", first.routeUrl());
        awaitStored(b, newer, late);
        Node miss = ourNode("J4", "type: full, interval: \"1h\"", first.routeUrl());
        awaitRoute(miss, first);
        assertThat(miss.file(b)).doesNotExist();
        assertThat(loginPipelined(miss, b)).isEqualTo("MSG x 1 2\r\nhi\r\nPONG\r\n");
        assertThat(login(miss, b)).isEqualTo("PONG\r\n");
        assertThat(Waits.read(miss.file(b)).strip()).isEqualTo(newer);
        Node cache = ourNode("J5", "type: cache", first.routeUrl());
        awaitRoute(cache, first);
        assertThat(login(cache, b)).isEqualTo("PONG\r\n");
    }
}
