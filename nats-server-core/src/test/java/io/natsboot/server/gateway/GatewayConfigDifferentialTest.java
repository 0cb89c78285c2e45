package io.natsboot.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.server.config.ConfigFileOptions;
import io.natsboot.server.config.GatewayOptions;
import io.natsboot.server.config.ServerOptions;
import io.natsboot.server.support.RequiredBinaries;
import io.natsboot.server.support.RequiresBinary;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Gateway blocks nats-server 2.9.10 refuses: the same text from our file reading ({@code -t}) or start-up checks
 * ({@code gateway has no name}, ...), read from the binary's own output for the same file.
 */
@RequiresBinary("nats-server")
class GatewayConfigDifferentialTest {
    @TempDir
    Path dir;

    private static final List<String> BAD = List.of(
            "gateway { port: 45222 }",
            "gateway { name: A }",
            "gateway { name: A, port: 45222, gateways: [{url: \"nats://127.0.0.1:1\"}] }",
            "gateway { name: A, port: 45222, gateways: [{name: B}] }",
            "gateway { name: A, listen: \"127.0.0.1:45222\" }\ncluster { name: C, port: 46222 }",
            "gateway { name: A, port: 45222, foo: 1 }",
            "gateway { name: A, port: 45222, gateways: [{name: B, url: \"nats://h:1\", bar: 2}] }",
            "gateway { name: A, port: 45222, authorization: {user: a, password: b, token: c} }",
            "gateway { name: A, port: 45222, authorization: {users: [{user: a, password: b}]} }",
            "gateway: 5");

    @Test
    void refusedAsNatsServerRefusesThem() throws Exception {
        for (String conf : BAD) {
            Path f = dir.resolve("g.conf");
            Files.writeString(f, "port: -1\n" + conf + "\n");
            assertThat(ours(f)).as(conf).isEqualTo(theirs(f));
        }
    }

    @Test
    void acceptedBlockBecomesOptions() throws Exception {
        Path f = dir.resolve("ok.conf");
        Files.writeString(f, "gateway {\n name: A\n listen: \"127.0.0.1:-1\"\n advertise: \"10.0.0.1:7222\"\n"
                + " connect_retries: 3\n reject_unknown_cluster: true\n authorization { user: gw, password: pw, "
                + "timeout: 3 }\n gateways: [ {name: B, urls: [\"nats://127.0.0.1:7001\", \"127.0.0.1:7002\"]},"
                + " {name: C, url: \"nats://u:p@127.0.0.1:7003\"} ]\n}\n");
        ServerOptions.Builder b = ServerOptions.builder();
        ConfigFileOptions.Outcome o = ConfigFileOptions.load(f.toString(), b);
        assertThat(o.ok()).as(o.message()).isTrue();
        GatewayOptions g = b.build().gateway();
        assertThat(g.name()).isEqualTo("A");
        assertThat(g.port()).isZero();
        assertThat(g.advertise()).isEqualTo("10.0.0.1:7222");
        assertThat(g.connectRetries()).isEqualTo(3);
        assertThat(g.rejectUnknown()).isTrue();
        assertThat(g.user()).isEqualTo("gw");
        assertThat(g.authTimeout().toSeconds()).isEqualTo(3);
        assertThat(g.remotes()).extracting(GatewayOptions.Remote::name).containsExactly("B", "C");
        assertThat(g.remotes().get(0).urls()).extracting(Object::toString)
                .containsExactly("nats://127.0.0.1:7001", "nats://127.0.0.1:7002");
        assertThat(b.build().cluster()).isNull();
    }

    /** Our text: the file's problems, else the start-up check's. */
    private static String ours(Path f) throws Exception {
        ServerOptions.Builder b = ServerOptions.builder();
        ConfigFileOptions.Outcome o = ConfigFileOptions.load(f.toString(), b);
        if (!o.ok()) {
            return "nats-server: " + o.message().strip();
        }
        try {
            b.build();
            return "started";
        } catch (IllegalArgumentException e) {
            return "nats-server: " + e.getMessage();
        }
    }

    /** nats-server's first line for the file (it exits at once for all of these). */
    private static String theirs(Path f) throws Exception {
        Process p = new ProcessBuilder(RequiredBinaries.path("nats-server").toString(), "-c", f.toString())
                .redirectErrorStream(true).start();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return "started";
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        return out.lines().findFirst().orElse("");
    }
}
