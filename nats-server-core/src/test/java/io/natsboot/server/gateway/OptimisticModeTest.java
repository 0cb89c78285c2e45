package io.natsboot.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.server.support.RunningServer;
import io.nats.client.Connection;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Our outbound gateway against a remote that stays optimistic (older servers; 2.9.10 switches every account to
 * interest-only at once): everything is sent until the remote says RS- (a subject) or A- (an account), A+ and RS+
 * lift that, and gateway_cmd 2/3 switch to interest-only. A scripted fake peer plays the remote cluster.
 */
class OptimisticModeTest {
    private static final String PEER_INFO = "INFO {\"server_id\":\"NFAKEPEER\",\"server_name\":\"Z1\","
            + "\"version\":\"2.9.10\",\"proto\":0,\"go\":\"\",\"host\":\"127.0.0.1\",\"port\":%d,\"headers\":true,"
            + "\"max_payload\":1048576,\"gateway\":\"Z\",\"gateway_urls\":[\"127.0.0.1:%d\"],"
            + "\"gateway_url\":\"127.0.0.1:%d\",\"gateway_nrp\":true}\r\n";

    @Test
    void negativeInterestAndAccountInterestAreHonoured() throws Exception {
        try (ServerSocket fake = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1"))) {
            int p = fake.getLocalPort();
            try (RunningServer ours = GatewayTestSupport.node("S1", "G", 0, "Z=nats://127.0.0.1:" + p)) {
                fake.setSoTimeout(10_000);
                try (Socket s = fake.accept(); Connection nc = GatewayTestSupport.connect(ours.url())) {
                    s.setSoTimeout(5000);
                    OutputStream out = s.getOutputStream();
                    BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(),
                            StandardCharsets.UTF_8));
                    out.write(String.format(PEER_INFO, p, p, p).getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    assertThat(in.readLine()).startsWith("CONNECT ");
                    assertThat(in.readLine()).startsWith("INFO ");
                    GatewayTestSupport.await("registered", () -> GatewayTestSupport.gateways(ours).outboundViews()
                            .containsKey("Z"));
                    // Optimistic: sent without any interest.
                    assertThat(publishAndRead(nc, in, out, "foo")).isEqualTo("RMSG $G foo 1");
                    // RS- for foo: foo no longer, bar still.
                    send(out, "RS- $G foo\r\n");
                    assertThat(publishAndRead(nc, in, out, "foo", "bar")).isEqualTo("RMSG $G bar 1");
                    // RS+ for foo.* lifts the negative interest in foo.x but not in foo
                    send(out, "RS- $G foo.x\r\nRS+ $G foo.*\r\n");
                    assertThat(publishAndRead(nc, in, out, "foo", "foo.x")).isEqualTo("RMSG $G foo.x 1");
                    // A- for the whole account: nothing; A+: everything again.
                    send(out, "A- $G\r\n");
                    assertThat(publishAndRead(nc, in, out, "bar", "foo.x")).isNull();
                    send(out, "A+ $G\r\n");
                    assertThat(publishAndRead(nc, in, out, "bar")).isEqualTo("RMSG $G bar 1");
                    // Interest-only from gateway_cmd 2 .. 3: only what RS+ asked for.
                    send(out, "INFO {\"gateway\":\"Z\",\"gateway_cmd\":2,\"gateway_cmd_payload\":\"JEc=\"}\r\n"
                            + "RS+ $G only.this\r\n"
                            + "INFO {\"gateway\":\"Z\",\"gateway_cmd\":3,\"gateway_cmd_payload\":\"JEc=\"}\r\n");
                    assertThat(publishAndRead(nc, in, out, "bar", "only.this")).isEqualTo("RMSG $G only.this 1");
                    // A queue group is sent as RS+ with a weight: named in the frame.
                    send(out, "RS+ $G jobs workers 1\r\n");
                    assertThat(publishAndRead(nc, in, out, "jobs")).isEqualTo("RMSG $G jobs | workers 1");
                }
            }
        }
    }

    private static void send(OutputStream out, String text) throws Exception {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /**
     * Sends PING to our server (answered after the lines before it were processed), publishes each subject with a
     * one-byte payload, then a marker the peer always gets (a routed reply for its cluster), and returns the first
     * message line before the marker, or null.
     */
    private static String publishAndRead(Connection nc, BufferedReader in, OutputStream out, String... subjects)
            throws Exception {
        send(out, "PING\r\n");
        String l;
        while (!"PONG".equals(l = in.readLine())) {
            if ("PING".equals(l)) {
                send(out, "PONG\r\n");
            }
        }
        for (String s : subjects) {
            nc.publish(s, new byte[] {'x'});
        }
        String marker = "_GR_." + Gateways.hash("Z") + ".AAAAAA.marker";
        nc.publish(marker, new byte[] {'m'});
        nc.flush(Duration.ofSeconds(2));
        String first = null;
        while (true) {
            l = in.readLine();
            if (l.startsWith("RMSG")) {
                in.readLine(); // payload
                if (l.contains("marker")) {
                    return first;
                }
                if (first == null) {
                    first = l;
                }
            } else if ("PING".equals(l)) {
                send(out, "PONG\r\n");
            }
        }
    }
}
