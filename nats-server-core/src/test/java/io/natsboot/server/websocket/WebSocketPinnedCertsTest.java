package io.natsboot.server.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.natsboot.server.config.ConfigFileOptions;
import io.natsboot.server.config.ConfigReload;
import io.natsboot.server.config.ServerOptions;
import io.natsboot.server.support.RunningServer;
import io.natsboot.server.support.TestCertificates;
import io.natsboot.server.support.Waits;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.HexFormat;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The websocket block's {@code pinned_certs}, compared with nats-server 2.9.10: a wss client whose certificate is
 * pinned gets in, and so does one that is not (2.9.10 checks no pins on websocket clients, and neither do we); and a reload that changes the pinned set is refused with nats-server's
 * text (probed: 2.9.10 compares the websocket block with the pinned set in it and fails the reload), so connected
 * websocket clients stay connected and nothing is re-checked.
 */
class WebSocketPinnedCertsTest {
    @TempDir
    Path dir;

    /** Hex SHA-256 of the certificate's SubjectPublicKeyInfo, as pinned_certs takes it. */
    private static String spki(TestCertificates certs, String pem) throws Exception {
        try (InputStream in = Files.newInputStream(certs.file(pem))) {
            byte[] der = CertificateFactory.getInstance("X.509").generateCertificate(in).getPublicKey().getEncoded();
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(der));
        }
    }

    private static String block(TestCertificates certs, String... pinned) {
        return "tls { cert_file: \"" + certs.path("server-cert.pem") + "\", key_file: \"" + certs.path("server-key.pem")
                + "\", ca_file: \"" + certs.path("ca.pem") + "\", verify: true, pinned_certs: [\""
                + String.join("\", \"", pinned) + "\"] }";
    }

    private static String conf(int wsPort, String body) {
        return "listen: \"127.0.0.1:-1\"\nwebsocket {\n  listen: \"127.0.0.1:" + wsPort + "\"\n" + body + "\n}\n";
    }

    /** A wss client presenting the test client certificate, upgraded; call {@link #roundTrip} on it. */
    private static WsRawClient wss(TestCertificates certs, int port) throws Exception {
        SSLSocket s = (SSLSocket) certs.clientContext(true).getSocketFactory().createSocket("127.0.0.1", port);
        s.startHandshake();
        WsRawClient c = new WsRawClient(s);
        c.upgrade(WsRawClient.request(port, ""));
        return c;
    }

    /** CONNECT then PING: what comes back (INFO, PONG) or "closed". */
    private static String roundTrip(WsRawClient c, boolean connect) throws Exception {
        if (connect) {
            c.send("CONNECT {\"verbose\":false}\r\nPING\r\n");
        } else {
            c.send("PING\r\n");
        }
        String got = c.readUntil("PONG\r\n");
        return got.endsWith("PONG\r\n") ? "PONG" : "closed";
    }

    private static String session(TestCertificates certs, int port) {
        try (WsRawClient c = wss(certs, port)) {
            return roundTrip(c, true);
        } catch (Exception e) {
            return "closed";
        }
    }

    private RunningServer ours(Path conf) {
        return RunningServer.start(b -> {
            try {
                assertThat(ConfigFileOptions.load(conf.toString(), b).errors()).isEmpty();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return b.host("127.0.0.1").port(0);
        });
    }

    private static ServerOptions options(Path conf) throws Exception {
        ServerOptions.Builder b = ServerOptions.builder();
        assertThat(ConfigFileOptions.load(conf.toString(), b).errors()).isEmpty();
        return b.host("127.0.0.1").port(0).build();
    }

    @Test
    void pinsAreNotCheckedWhenAWebSocketClientConnectsAsInNatsServer() throws Exception {
        TestCertificates certs = TestCertificates.shared();
        String client = spki(certs, "client-cert.pem");
        String other = spki(certs, "route-cert.pem");
        String theirsPinned;
        String theirsOther;
        try (ReferenceServer ref = new ReferenceServer(block(certs, client), "")) {
            theirsPinned = session(certs, ref.wsPort);
        }
        try (ReferenceServer ref = new ReferenceServer(block(certs, other), "")) {
            theirsOther = session(certs, ref.wsPort);
        }
        assertThat(theirsPinned).isEqualTo("PONG");
        // 2.9.10 checks no pins when a websocket client connects (probed): the unpinned client gets in as well
        assertThat(theirsOther).isEqualTo("PONG");
        Path f = dir.resolve("pinned.conf");
        int wsPort = io.natsboot.server.support.Ports.free();
        Files.writeString(f, conf(wsPort, block(certs, client)));
        try (RunningServer s = ours(f)) {
            assertThat(session(certs, wsPort)).isEqualTo(theirsPinned);
        }
        Files.writeString(f, conf(wsPort, block(certs, other)));
        try (RunningServer s = ours(f)) {
            assertThat(session(certs, wsPort)).isEqualTo(theirsOther);
        }
    }

    @Test
    void aReloadChangingThePinnedSetIsRefusedAndTheClientStaysAsInNatsServer() throws Exception {
        TestCertificates certs = TestCertificates.shared();
        String client = spki(certs, "client-cert.pem");
        String other = spki(certs, "route-cert.pem");
        String server = spki(certs, "server-cert.pem");
        String refused;
        try (ReferenceServer ref = new ReferenceServer(block(certs, client, other), "")) {
            try (WsRawClient c = wss(certs, ref.wsPort)) {
                assertThat(roundTrip(c, true)).isEqualTo("PONG");
                String before = Files.readString(ref.conf());
                Files.writeString(ref.conf(), before.replace(client, server));
                int from = ref.log.length();
                ref.hangUp();
                Waits.upTo("nats-server's reload", Duration.ofSeconds(10))
                        .until(() -> ref.log.substring(from).contains("reload"));
                String line = ref.log.substring(from);
                int at = line.indexOf("Failed to reload server configuration: ");
                assertThat(at).as(line).isGreaterThan(0);
                refused = line.substring(at + "Failed to reload server configuration: ".length()).strip();
                assertThat(roundTrip(c, false)).isEqualTo("PONG"); // the client is still there
            }
        }
        // Go prints the TLS config's pointer where we print &{...}
        refused = refused.replaceAll("0x[0-9a-f]+", "&{...}");
        assertThat(refused).startsWith("config reload not supported for Websocket: old=")
                .contains("map[" + (client.compareTo(other) < 0 ? client + ":{} " + other : other + ":{} " + client)
                        + ":{}]");

        int wsPort = io.natsboot.server.support.Ports.free();
        Path f = dir.resolve("reload.conf");
        Files.writeString(f, conf(wsPort, block(certs, client, other)));
        try (RunningServer s = ours(f); WsRawClient c = wss(certs, wsPort)) {
            assertThat(roundTrip(c, true)).isEqualTo("PONG");
            Files.writeString(f, conf(wsPort, block(certs, server, other)));
            ServerOptions next = options(f);
            String expected = refused.replace("127.0.0.1 " + refusedPort(refused), "127.0.0.1 " + wsPort);
            assertThatThrownBy(() -> ConfigReload.diff(s.server().options(), next, s.server().port()))
                    .isInstanceOf(ConfigReload.Refused.class).hasMessage(expected);
            assertThat(roundTrip(c, false)).isEqualTo("PONG");
        }
    }

    /** The websocket port in a refusal text ({@code old={127.0.0.1 <port> ...}). */
    private static String refusedPort(String refused) {
        return refused.replaceAll("(?s).*old=\\{127\\.0\\.0\\.1 (\\d+) .*", "$1");
    }
}
