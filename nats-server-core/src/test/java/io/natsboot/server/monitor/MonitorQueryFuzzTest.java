package io.natsboot.server.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.natsboot.server.config.ServerOptions;
import io.natsboot.server.connection.ClientConnection;
import io.natsboot.server.connection.ServerContext;
import io.natsboot.server.protocol.ServerId;
import io.natsboot.server.support.CapturingLog;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzzes the monitoring request handling: the request URI (path, query, escapes) of every endpoint, answered from
 * a server with a few open and closed connections (embedded channels, no sockets). Any URI must get a 200, 400,
 * 404 or 503 answer; a RuntimeException would be the handler's 500.
 *
 * <p>Inputs: {@code MonitorQueryFuzzTestInputs/uri/}, seeded with the URIs the monitoring tests and the dashboard
 * send (paging, sorting, state, subs=detail, callback, escapes).
 */
class MonitorQueryFuzzTest {
    private static ServerContext context;
    private static MonitorServer monitor;
    private static List<EmbeddedChannel> channels;

    @BeforeAll
    static void server() {
        context = new ServerContext(ServerOptions.builder().host("127.0.0.1").port(4222).build(), new CapturingLog(),
                ServerId.generate());
        channels = List.of(new EmbeddedChannel(new ClientConnection(context)),
                new EmbeddedChannel(new ClientConnection(context)), new EmbeddedChannel(new ClientConnection(context)));
        String[] scripts = {"CONNECT {\"name\":\"a\",\"lang\":\"java\"}\r\nSUB foo 1\r\nSUB bar.* q 2\r\n",
                "SUB > 7\r\nPUB foo 2\r\nhi\r\n", "CONNECT {\"user\":\"x\"}\r\nFOO\r\n"};
        for (int i = 0; i < scripts.length; i++) {
            channels.get(i).writeInbound(Unpooled.copiedBuffer(scripts[i], StandardCharsets.UTF_8));
            channels.get(i).runPendingTasks();
        }
        monitor = new MonitorServer(new Monitor(context, () -> null, () -> true), "127.0.0.1", 0, new CapturingLog());
    }

    @AfterAll
    static void close() {
        channels.forEach(EmbeddedChannel::finishAndReleaseAll);
    }

    @FuzzTest(maxDuration = "60s")
    void uri(byte[] input) {
        String uri = new String(input, StandardCharsets.UTF_8);
        if (uri.startsWith("/stacksz")) {
            return; // a thread dump of the whole JVM: slow, and not input-dependent
        }
        MonitorServer.Reply reply = monitor.reply(uri);
        assertThat(reply.status()).as(uri).isIn(200, 400, 404, 503);
        assertThat(reply.body()).isNotNull();
    }
}
