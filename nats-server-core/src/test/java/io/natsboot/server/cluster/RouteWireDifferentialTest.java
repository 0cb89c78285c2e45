package io.natsboot.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.server.support.RawClient;
import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.RunningServer;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The route protocol byte for byte: a scripted fake route talks to our node and to the real nats-server
 * 2.9.10, and what each sends back must be identical (INFO JSON, $SYS interest and PINGs aside).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@RequiresBinary("nats-server")
class RouteWireDifferentialTest {
    private RunningServer ours;
    private GoNode reference;

    @BeforeAll
    void start() throws Exception {
        ours = ClusterTestSupport.node("ours");
        reference = GoNode.start("ref", "TEST");
    }

    @AfterAll
    void stop() throws Exception {
        if (ours != null) {
            ours.close();
        }
        if (reference != null) {
            reference.close();
        }
    }

    interface Scenario {
        void run(int clientPort, int routePort, List<String> out) throws Exception;
    }

    private void same(Scenario s) throws Exception {
        List<String> mine = new ArrayList<>();
        s.run(ours.port(), ours.server().cluster().port(), mine);
        List<String> theirs = new ArrayList<>();
        s.run(reference.port, reference.clusterPort, theirs);
        assertThat(mine).as("NATS Boot vs nats-server").isEqualTo(theirs);
        assertThat(theirs).isNotEmpty();
    }

    /** A fake peer: reads the server's INFO, sends CONNECT and INFO as a soliciting nats-server would. */
    static final class FakeRoute implements AutoCloseable {
        final RawClient raw;
        final String info;

        FakeRoute(int routePort, String cluster) throws IOException {
            raw = new RawClient(routePort);
            info = raw.readLine();
            String id = "NFAKE" + Long.toHexString(System.nanoTime()).toUpperCase();
            raw.send("CONNECT {\"echo\":true,\"verbose\":false,\"pedantic\":false,\"tls_required\":false,"
                    + "\"headers\":true,\"name\":\"" + id + "\",\"cluster\":\"" + cluster + "\"}\r\n"
                    + "INFO {\"server_id\":\"" + id + "\",\"server_name\":\"fake-" + id + "\",\"version\":\"2.9.10\","
                    + "\"proto\":2,\"host\":\"127.0.0.1\",\"port\":1,\"headers\":true,\"max_payload\":1048576,"
                    + "\"cluster\":\"" + cluster + "\"}\r\n");
        }

        /** Lines until {@code quietMillis} pass without one; answers PINGs; drops $SYS interest and PONGs. */
        List<String> lines(int quietMillis) throws IOException {
            List<String> out = new ArrayList<>();
            raw.setTimeout(quietMillis);
            while (true) {
                String line;
                try {
                    line = raw.readLine();
                } catch (SocketTimeoutException e) {
                    return out;
                }
                if (line == null) {
                    out.add("<closed>");
                    return out;
                }
                if (line.startsWith("PING")) {
                    raw.send("PONG\r\n");
                    continue;
                }
                if (line.startsWith("PONG") || line.contains(" $SYS ") || line.startsWith("INFO ")) {
                    continue;
                }
                if (line.startsWith("RMSG") || line.startsWith("HMSG")) {
                    line = sortQueues(line);
                    String[] parts = line.trim().split(" ");
                    int size = Integer.parseInt(parts[parts.length - 1]);
                    line = line + raw.readBytes(size + 2);
                }
                out.add(line);
            }
        }

        /**
         * nats-server lists the queue groups of a frame in Go map order, which varies from run to run: sort
         * them so the comparison is about which groups are named.
         */
        static String sortQueues(String line) {
            String[] t = line.trim().split(" ");
            int sizes = t[0].equals("HMSG") ? 2 : 1;
            int ind = 3;
            if (t.length <= ind + sizes || !(t[ind].equals("|") || t[ind].equals("+"))) {
                return line;
            }
            int first = t[ind].equals("+") ? ind + 2 : ind + 1;
            java.util.Arrays.sort(t, first, t.length - sizes);
            return String.join(" ", t) + "\r\n";
        }

        /** Waits until the server has processed everything sent so far on the route. */
        void sync() throws IOException {
            raw.send("PING\r\n");
            raw.setTimeout(5000);
            while (true) {
                String line = raw.readLine();
                if (line == null || line.startsWith("PONG")) {
                    return;
                }
                if (line.startsWith("PING")) {
                    raw.send("PONG\r\n");
                }
            }
        }

        @Override
        public void close() throws IOException {
            raw.close();
        }
    }

    /** A client connection that waits for its own PONG after each step. */
    static RawClient client(int port) throws IOException {
        RawClient c = new RawClient(port);
        c.readInfo();
        c.send("CONNECT {\"verbose\":false,\"headers\":true,\"protocol\":1}\r\n");
        return c;
    }

    static void step(RawClient c, String ops) throws IOException {
        c.send(ops + "PING\r\n");
        while (true) {
            String line = c.readLine();
            if (line == null || line.startsWith("PONG")) {
                return;
            }
        }
    }

    @Test
    void interestUpdatesWithReferenceCountsAndQueueWeights() throws Exception {
        same((clientPort, routePort, out) -> {
            try (FakeRoute r = new FakeRoute(routePort, "TEST"); RawClient c = client(clientPort)) {
                out.addAll(r.lines(300));
                String[] steps = {"SUB foo 1\r\n", "SUB foo 2\r\n", "SUB bar q1 3\r\n", "SUB bar q1 4\r\n",
                    "UNSUB 4\r\n", "UNSUB 3\r\n", "UNSUB 1\r\n", "UNSUB 2\r\n", "SUB w.* 5\r\nSUB w.> q 6\r\n"};
                for (String s : steps) {
                    step(c, s);
                    out.add("after " + s.trim() + ": " + r.lines(150));
                }
            }
        });
    }

    @Test
    void initialBurstCarriesExistingInterest() throws Exception {
        same((clientPort, routePort, out) -> {
            try (RawClient c = client(clientPort)) {
                step(c, "SUB burst.a 1\r\nSUB burst.a 2\r\nSUB burst.q g 3\r\nSUB burst.q g 4\r\nSUB burst.q h 5\r\n");
                try (FakeRoute r = new FakeRoute(routePort, "TEST")) {
                    List<String> lines = new ArrayList<>(r.lines(400));
                    lines.sort(null); // the burst order is a map's order on both servers
                    out.addAll(lines);
                }
            }
        });
    }

    @Test
    void messagesToTheRouteUseOneFramePerRouteWithQueueNames() throws Exception {
        same((clientPort, routePort, out) -> {
            try (FakeRoute r = new FakeRoute(routePort, "TEST"); RawClient c = client(clientPort)) {
                r.lines(200);
                r.raw.send("RS+ $G r.plain\r\nRS+ $G r.q grpA 3\r\nRS+ $G r.q grpB 1\r\nRS+ $G r.*\r\n");
                r.sync();
                step(c, "PUB r.plain reply.1 5\r\nhello\r\n");
                out.add(String.valueOf(r.lines(150)));
                step(c, "PUB r.q 1\r\nx\r\n");
                out.add(String.valueOf(r.lines(150)));
                step(c, "PUB r.q r2 1\r\nz\r\n");
                out.add(String.valueOf(r.lines(150)));
                step(c, "HPUB r.plain 12 14\r\nNATS/1.0\r\n\r\nhi\r\n");
                out.add(String.valueOf(r.lines(150)));
                r.raw.send("RS- $G r.plain\r\nRS- $G r.*\r\n");
                r.sync();
                step(c, "PUB r.plain 2\r\nno\r\n");
                out.add("after RS-: " + r.lines(150));
                r.raw.send("RS+ $G r.q grpA 0\r\nRS- $G r.q grpB\r\n");
                r.sync();
                step(c, "PUB r.q 1\r\n0\r\n");
                out.add("weight 0: " + r.lines(150));
            }
        });
    }

    @Test
    void messagesFromTheRouteReachLocalSubscribersAndNamedQueuesOnly() throws Exception {
        same((clientPort, routePort, out) -> {
            try (FakeRoute r = new FakeRoute(routePort, "TEST"); RawClient c = client(clientPort)) {
                step(c, "SUB from.route 1\r\nSUB from.route.q g1 2\r\nSUB from.route.q g1 3\r\n");
                r.lines(200);
                r.raw.send("RMSG $G from.route reply.x 5\r\nhello\r\n"
                        + "RMSG $G from.route.q | other 2\r\nno\r\n"
                        + "RMSG $G from.route.q | g1 2\r\nok\r\n"
                        + "RMSG $G from.route.q + rq g1 3\r\nrep\r\n"
                        + "HMSG $G from.route 12 14\r\nNATS/1.0\r\n\r\nhi\r\n"
                        + "RMSG $OTHER from.route 1\r\nx\r\n");
                r.sync();
                c.send("PING\r\n");
                List<String> got = new ArrayList<>();
                while (true) {
                    String line = c.readLine();
                    if (line.startsWith("PONG")) {
                        break;
                    }
                    // which member of g1 got a message is random: hide the sid of queue deliveries
                    got.add(line.replaceAll("^MSG from\\.route\\.q [23] ", "MSG from.route.q <g1> "));
                }
                out.addAll(got);
            }
        });
    }

    @Test
    void aClientOnTheRoutePortIsTurnedAway() throws Exception {
        same((clientPort, routePort, out) -> {
            try (RawClient c = new RawClient(routePort)) {
                c.readInfo();
                c.send("CONNECT {\"verbose\":false,\"lang\":\"java\",\"version\":\"2.0\"}\r\n");
                out.add(c.readUntilClose(2000));
            }
        });
    }

    @Test
    void aRouteFromAnotherClusterIsRejected() throws Exception {
        same((clientPort, routePort, out) -> {
            try (FakeRoute r = new FakeRoute(routePort, "OTHER")) {
                out.add(r.raw.readUntilClose(2000));
            }
        });
    }

    @Test
    void unknownOpClosesTheRoute() throws Exception {
        same((clientPort, routePort, out) -> {
            try (FakeRoute r = new FakeRoute(routePort, "TEST")) {
                r.lines(200);
                r.raw.send("FOO bar\r\n");
                String rest = r.raw.readUntilClose(2000);
                out.add(rest.replaceAll("(?s)PING\r\n", "").replaceAll("RS\\+ \\$SYS [^\r]*\r\n", ""));
            }
        });
    }
}
