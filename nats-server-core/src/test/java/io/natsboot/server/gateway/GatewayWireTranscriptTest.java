package io.natsboot.server.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.natsboot.server.support.Ports;
import io.natsboot.server.support.RawClient;
import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.RunningServer;
import io.nats.client.Connection;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A scripted fake gateway peer (a raw socket playing cluster "Z") against our server and nats-server 2.9.10: what
 * each sends on connect, byte for byte once server ids, names and ports are normalised, both as the accepting side
 * (INFO, then after CONNECT+INFO the interest-only switch of every account with the cluster's subscriptions) and as
 * the dialling side (nothing until INFO, then CONNECT and INFO), and the A- for a message in an unknown account.
 */
@RequiresBinary("nats-server")
class GatewayWireTranscriptTest {
    private static final Pattern ID = Pattern.compile("N[A-Z0-9]{55}");
    private static final String PEER_INFO = "INFO {\"server_id\":\"NFAKEPEER\",\"server_name\":\"Z1\","
            + "\"version\":\"2.9.10\",\"proto\":0,\"go\":\"\",\"host\":\"127.0.0.1\",\"port\":%d,\"headers\":true,"
            + "\"max_payload\":1048576,\"gateway\":\"Z\",\"gateway_urls\":[\"127.0.0.1:%d\"],"
            + "\"gateway_url\":\"127.0.0.1:%d\",\"gateway_nrp\":true,\"gateway_iom\":true}\r\n";

    @Test
    void acceptingSideSendsWhatNatsServerSends() throws Exception {
        int ourGw = GatewayTestSupport.port();
        int goGw = GatewayTestSupport.port();
        try (RunningServer ours = GatewayTestSupport.node("S1", "G", ourGw);
             GoGatewayNode go = GoGatewayNode.start("S1", "G", goGw, List.of(), 0, List.of())) {
            Accepted a = accepted(ours.url(), ourGw);
            Accepted b = accepted(go.url(), goGw);
            assertEquals(b.info, a.info, "the gateway INFO");
            assertEquals(b.lines, a.lines, "the interest-only switch and the $G interest");
            assertEquals("A- ACCX", a.afterUnknownAccount);
            assertEquals(b.afterUnknownAccount, a.afterUnknownAccount);
        }
    }

    private record Accepted(String info, TreeSet<String> lines, String afterUnknownAccount) {
    }

    /** A client subscribes, then the fake peer dials the gateway port and records what it is sent. */
    private static Accepted accepted(String clientUrl, int gatewayPort) throws Exception {
        try (Connection c = GatewayTestSupport.connect(clientUrl)) {
            c.subscribe("foo.bar");
            c.subscribe("svc.*", "grp");
            c.flush(Duration.ofSeconds(2));
            try (RawClient peer = new RawClient(gatewayPort)) {
                String info = normalise(line(peer));
                peer.send("CONNECT {\"echo\":false,\"verbose\":false,\"pedantic\":false,\"tls_required\":false,"
                        + "\"headers\":false,\"name\":\"NFAKEPEER\",\"cluster\":\"\",\"gateway\":\"Z\"}\r\n");
                peer.send(String.format(PEER_INFO, 1, 1, 1));
                // Until both accounts' switch completed: cmd 3 for $G and for $SYS.
                TreeSet<String> lines = new TreeSet<>();
                int completes = 0;
                while (completes < 2) {
                    String l = line(peer);
                    if (l.startsWith("INFO") && l.contains("\"gateway_cmd\":3")) {
                        completes++;
                    }
                    if (l.startsWith("RS+ $SYS ") || l.equals("PING")) {
                        continue; // the system account's own subscriptions differ between servers
                    }
                    lines.add(normalise(l));
                }
                peer.send("RMSG ACCX foo 2\r\nhi\r\nPING\r\n");
                String next = line(peer);
                while (next.equals("PING") || next.equals("PONG") || next.startsWith("RS+ $SYS")) {
                    next = line(peer);
                }
                return new Accepted(info, lines, next);
            }
        }
    }

    /**
     * Before the remote's INFO registers the connection, accounts are still optimistic: a message nobody wants is
     * answered RS- (the account has subscriptions, the system imports at least); a PING before CONNECT is an
     * authorization violation.
     */
    @Test
    void beforeRegistrationAsNatsServer() throws Exception {
        int ourGw = GatewayTestSupport.port();
        int goGw = GatewayTestSupport.port();
        try (RunningServer ours = GatewayTestSupport.node("S1", "G", ourGw);
             GoGatewayNode go = GoGatewayNode.start("S1", "G", goGw, List.of(), 0, List.of())) {
            for (int port : new int[] {ourGw, goGw}) {
                try (RawClient peer = new RawClient(port)) {
                    line(peer);
                    peer.send("CONNECT {\"gateway\":\"Z\"}\r\nRMSG $G nobody.here 2\r\nhi\r\nPING\r\n");
                    String l = line(peer);
                    while (l.equals("PING")) {
                        l = line(peer);
                    }
                    assertEquals("RS- $G nobody.here", l, "port " + port);
                }
                try (RawClient peer = new RawClient(port)) {
                    line(peer);
                    peer.send("PING\r\n");
                    assertEquals("-ERR 'Authorization Violation'", line(peer), "port " + port);
                }
            }
        }
    }

    @Test
    void dialingSideSendsWhatNatsServerSends() throws Exception {
        try (ServerSocket fake = new ServerSocket(0, 5, java.net.InetAddress.getByName("127.0.0.1"))) {
            int fakePort = fake.getLocalPort();
            String remote = "Z=nats://127.0.0.1:" + fakePort;
            List<String> ours;
            try (RunningServer s = GatewayTestSupport.node("S1", "G", 0, remote)) {
                ours = dialled(fake, fakePort);
            }
            List<String> go;
            try (GoGatewayNode n = GoGatewayNode.start("S1", "G", 0, List.of(remote), 0, List.of())) {
                go = dialled(fake, fakePort);
            }
            assertEquals(go, ours);
        }
    }

    /** Accepts the dial, checks nothing comes before our INFO, sends it and records CONNECT and INFO. */
    private static List<String> dialled(ServerSocket fake, int fakePort) throws Exception {
        fake.setSoTimeout(10_000);
        try (Socket s = fake.accept()) {
            s.setSoTimeout(300);
            boolean silent;
            try {
                silent = s.getInputStream().read() < 0;
            } catch (java.net.SocketTimeoutException e) {
                silent = true; // nothing before our INFO, as nats-server
            }
            assertTrue(silent, "the dialling side waits for the INFO");
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(String.format(PEER_INFO, fakePort, fakePort, fakePort).getBytes(StandardCharsets.UTF_8));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            List<String> got = new ArrayList<>();
            got.add(normalise(in.readLine()));
            got.add(normalise(in.readLine()));
            return got;
        }
    }

    private static String line(RawClient c) throws java.io.IOException {
        String l = c.readLine();
        if (l == null) {
            throw new java.io.EOFException("closed");
        }
        return l.strip();
    }

    /** Server ids and port numbers replaced, so two servers' lines compare. */
    static String normalise(String line) {
        Matcher m = ID.matcher(line);
        String s = m.replaceAll("<ID>");
        s = s.replaceAll("127\\.0\\.0\\.1:\\d+", "127.0.0.1:<PORT>").replaceAll("\"port\":\\d+", "\"port\":<PORT>");
        return s;
    }
}
