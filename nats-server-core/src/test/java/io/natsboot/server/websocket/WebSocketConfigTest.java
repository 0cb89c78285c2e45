package io.natsboot.server.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.server.config.ConfParser;
import io.natsboot.server.config.ConfigFileOptions;
import io.natsboot.server.config.ServerOptions;
import io.natsboot.server.config.WebSocketOptions;
import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.RunningServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The websocket block onto options with nats-server 2.9.10's checks, and /varz's websocket object. */
class WebSocketConfigTest {

    private static ConfigFileOptions.Outcome apply(String text, ServerOptions.Builder b) throws Exception {
        return ConfigFileOptions.apply(ConfParser.parseString(text, "t.conf", k -> null), b);
    }

    @Test
    void everyKey() throws Exception {
        ServerOptions.Builder b = ServerOptions.builder();
        ConfigFileOptions.Outcome o = apply("""
                websocket {
                  listen: "127.0.0.1:-1"
                  advertise: "ws.example.com:443"
                  no_tls: true
                  same_origin: true
                  allowed_origins: ["http://a.example:8080", "https://b.example"]
                  compression: true
                  handshake_timeout: "2s"
                  authorization { user: wsu, password: wsp, timeout: 3 }
                }
                """, b);
        assertThat(o.errors()).isEmpty();
        WebSocketOptions w = b.build().websocket();
        assertThat(w).isEqualTo(new WebSocketOptions("127.0.0.1", 0, "ws.example.com:443", null, true, true,
                List.of("http://a.example:8080", "https://b.example"), true, "wsu", "wsp", null, Duration.ofSeconds(3),
                null, null, Duration.ofSeconds(2)));
        assertThat(w.authOverride()).isTrue();
        // aliases nats-server accepts, a number of seconds for handshake_timeout (no warning)
        b = ServerOptions.builder();
        o = apply("ws { port: 8080, net: h, no_tls: true, origins: \"http://x\", compress: false, "
                + "handshake_timeout: 2, authentication { username: a, pass: b, token: t } }", b);
        assertThat(o.errors()).isEmpty();
        assertThat(o.warnings()).isEmpty();
        w = b.build().websocket();
        assertThat(w.host()).isEqualTo("h");
        assertThat(w.port()).isEqualTo(8080);
        assertThat(w.allowedOrigins()).containsExactly("http://x");
        assertThat(w.handshakeTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(w.token()).isEqualTo("t");
    }

    @Test
    void noPortMeansNoListener() throws Exception {
        ServerOptions.Builder b = ServerOptions.builder();
        assertThat(apply("websocket { compression: true }", b).errors()).isEmpty();
        assertThat(b.build().websocket()).isNull();
    }

    @Test
    void natsServerRefusals() throws Exception {
        assertThat(apply("websocket { port: -1 }", ServerOptions.builder()).errors())
                .containsExactly("websocket requires TLS configuration");
        assertThat(apply("websocket { port: -1, no_tls: true, foo: 1 }", ServerOptions.builder()).errors())
                .containsExactly("t.conf:1:36: unknown field \"foo\"");
        assertThat(apply("websocket { port: -1, no_tls: true, authorization { user: a, password: b, users: [] } }",
                ServerOptions.builder()).errors()).containsExactly("t.conf:1:74: unknown field \"users\"");
        assertThat(apply("websocket { port: -1, no_tls: true, no_auth_user: x }", ServerOptions.builder()).errors())
                .containsExactly("no_auth_user: \"x\" present, but users are not defined");
        // jwt_cookie needs operator mode: nats-server's -t passes, its start refuses (validateWebsocketOptions)
        ServerOptions.Builder cookie = ServerOptions.builder();
        assertThat(apply("websocket { port: -1, no_tls: true, jwt_cookie: x }", cookie).errors()).isEmpty();
        ServerOptions withCookie = cookie.build();
        assertThat(withCookie.websocket().problem(withCookie))
                .isEqualTo("trusted operators or trusted keys configuration is required for JWT "
                        + "authentication via cookie \"x\"");
        assertThat(apply("authorization { users: [{user: u, password: p}] }\n"
                + "websocket { port: -1, no_tls: true, authorization { user: a, password: b } }",
                ServerOptions.builder()).errors())
                .containsExactly("websocket authentication username not compatible with presence of users/nkeys");
    }

    @RequiresBinary("nats-server")
    @Test
    void varzWebsocketObjectAsNatsServer() throws Exception {
        String block = "no_tls: true\nsame_origin: true\nallowed_origins: [\"http://127.0.0.1:1\"]\n"
                + "handshake_timeout: \"2s\"\nadvertise: \"ws.example.com:443\"\n"
                + "authorization { user: wsu, password: wsp, timeout: 3 }";
        try (ReferenceServer ref = new ReferenceServer(block, "");
             RunningServer ours = RunningServer.start(b -> b.httpPort(-1).websocket(new WebSocketOptions("127.0.0.1",
                     0, "ws.example.com:443", null, true, true, List.of("http://127.0.0.1:1"), false, "wsu", "wsp",
                     null, Duration.ofSeconds(3), null, null, Duration.ofSeconds(2))))) {
            String theirs = websocketObject(ref.httpPort);
            String mine = websocketObject(ours.server().monitor().port());
            assertThat(mine.replace("\"port\":" + ours.server().context().webSocketPort(), "\"port\":P"))
                    .isEqualTo(theirs.replace("\"port\":" + ref.wsPort, "\"port\":P"));
            assertThat(theirs).contains("\"handshake_timeout\":2000000000").contains("\"auth_timeout\":3");
        }
        try (RunningServer none = RunningServer.start(b -> b.httpPort(-1))) {
            assertThat(websocketObject(none.server().monitor().port())).isEqualTo("{}");
        }
    }

    /** The websocket object of /varz as compact JSON text. */
    private static String websocketObject(int httpPort) throws IOException, InterruptedException {
        String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + httpPort + "/varz")).build(), HttpResponse.BodyHandlers.ofString())
                .body();
        int at = body.indexOf("\"websocket\":");
        int start = body.indexOf('{', at);
        int depth = 0;
        int end = start;
        for (; end < body.length(); end++) {
            char c = body.charAt(end);
            depth += c == '{' ? 1 : c == '}' ? -1 : 0;
            if (depth == 0) {
                break;
            }
        }
        return body.substring(start, end + 1).replaceAll("\\s+", "");
    }

}
