package io.natsboot.server.gateway;

import static io.natsboot.server.gateway.GatewayTestSupport.await;
import static io.natsboot.server.gateway.GatewayTestSupport.awaitConnected;
import static io.natsboot.server.gateway.GatewayTestSupport.awaitInbound;
import static io.natsboot.server.gateway.GatewayTestSupport.connect;
import static io.natsboot.server.gateway.GatewayTestSupport.gateways;
import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.server.config.GatewayOptions;
import io.natsboot.server.config.TlsOptions;
import io.natsboot.server.support.Ports;
import io.natsboot.server.support.RawClient;
import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.RunningServer;
import io.natsboot.server.support.TestCertificates;
import io.nats.client.Connection;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Gateways over mutual TLS between our node and nats-server 2.9.10, both directions dialled. */
@RequiresBinary("nats-server")
class GatewayTlsTest {

    @Test
    void supercluterOverMutualTls() throws Exception {
        TestCertificates certs = TestCertificates.shared();
        TlsOptions tls = new TlsOptions(certs.path("route-cert.pem"), certs.path("route-key.pem"),
                certs.path("ca.pem"), true, Duration.ofSeconds(2));
        String goTls = "  tls {\n    cert_file: \"" + certs.path("route-cert.pem") + "\"\n    key_file: \""
                + certs.path("route-key.pem") + "\"\n    ca_file: \"" + certs.path("ca.pem") + "\"\n    timeout: 2\n  }";
        int ourGw = GatewayTestSupport.port();
        int goGw = GatewayTestSupport.port();
        GatewayOptions g = new GatewayOptions("A", "127.0.0.1", ourGw, null, List.of(new GatewayOptions.Remote("B",
                List.of(URI.create("nats://127.0.0.1:" + goGw)), null)), null, null, null, tls, 0, false);
        try (RunningServer a = RunningServer.start(b -> b.serverName("A1").gateway(g, ourGw));
             GoGatewayNode b = GoGatewayNode.start("B1", "B", goGw, List.of("A=nats://127.0.0.1:" + ourGw), 0,
                     List.of(), goTls)) {
            awaitConnected(a, "B");
            awaitInbound(a, "B");
            awaitConnected(b, "A");
            awaitInbound(b, "A");
            try (Connection ca = connect(a.url()); Connection cb = connect(b.url())) {
                MixedGatewayTest.pubSub(ca, cb, "tls.to.go");
                MixedGatewayTest.requestReply(cb, ca, "tls.svc");
            }
            // A peer in plaintext gets no INFO: the handshake comes first.
            try (RawClient raw = new RawClient(gateways(a).port())) {
                raw.send("CONNECT {}\r\n");
                assertThat(raw.readUntilClose(3000)).doesNotContain("INFO").endsWith("<closed>");
            }
            await("handshake error logged", () -> a.log().contains("TLS gateway handshake error"));
        }
    }
}
