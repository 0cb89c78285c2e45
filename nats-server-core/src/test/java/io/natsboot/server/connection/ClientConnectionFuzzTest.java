package io.natsboot.server.connection;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.natsboot.server.auth.Permissions;
import io.natsboot.server.auth.Permissions.SubjectPermission;
import io.natsboot.server.auth.User;
import io.natsboot.server.config.ServerOptions;
import io.natsboot.server.protocol.ServerId;
import io.natsboot.server.support.CapturingLog;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Fuzzes a whole {@link ClientConnection} (decoder, CONNECT JSON, subjects, permissions, delivery) in Netty's
 * EmbeddedChannel, next to a subscriber on {@code >} that receives whatever the fuzzed client publishes. The first
 * input byte picks the server settings (authorization with a restricted user, small limits); the rest arrives in
 * reads cut at pseudo-random places.
 *
 * <p>Properties: no exception escapes the pipeline, the connection never logs an unexpected {@code Client error}
 * (the handler's catch-all for a bug), the first bytes out are the INFO line, and the subscriber's output is
 * well-formed MSG/HMSG frames.
 */
class ClientConnectionFuzzTest {
    private static final String SERVER_ID = ServerId.generate();
    private static final java.util.regex.Pattern CATCH_ALL =
            java.util.regex.Pattern.compile("^\\[ERR\\] \\S* - cid:\\d+ - (\"[^\"]*\" - )?Client error: ");
    private static final User ALICE = new User("alice", "pw", new Permissions(
            new SubjectPermission(List.of("pub.>", "_INBOX.>"), List.of("pub.secret")),
            new SubjectPermission(List.of("sub.>", "q.> grp"), List.of("sub.secret")), null));

    @FuzzTest(maxDuration = "60s")
    void connection(byte[] input) {
        if (input.length == 0) {
            return;
        }
        int flags = input[0];
        byte[] wire = Arrays.copyOfRange(input, 1, input.length);
        ServerOptions.Builder b = ServerOptions.builder().host("127.0.0.1").port(4222);
        if ((flags & 1) != 0) {
            b.users(List.of(ALICE, new User("bob", "pw", null)));
        }
        if ((flags & 2) != 0) {
            b.maxControlLine(64).maxPayload(128).maxPending(4096).maxSubscriptions(3);
        }
        CapturingLog log = new CapturingLog();
        ServerContext context = new ServerContext(b.build(), log, SERVER_ID);
        EmbeddedChannel watcher = new EmbeddedChannel(new ClientConnection(context));
        EmbeddedChannel fuzzed = new EmbeddedChannel(new ClientConnection(context));
        try {
            String watch = (flags & 1) != 0 ? "CONNECT {\"verbose\":false,\"headers\":true,\"user\":\"bob\",\"pass\":\"pw\"}"
                    : "CONNECT {\"verbose\":false,\"headers\":true}";
            watcher.writeInbound(Unpooled.copiedBuffer(watch + "\r\nSUB > 1\r\nSUB _INBOX.* q 2\r\n",
                    StandardCharsets.ISO_8859_1));
            Random random = new Random(Arrays.hashCode(input));
            for (int offset = 0; offset < wire.length && fuzzed.isOpen();) {
                int n = 1 + random.nextInt(Math.min(wire.length - offset, 256));
                fuzzed.writeInbound(Unpooled.copiedBuffer(wire, offset, n));
                fuzzed.runPendingTasks();
                watcher.runPendingTasks();
                offset += n;
            }
            fuzzed.checkException();
            watcher.checkException();
            // The catch-all line starts right after the connection's log prefix; the same words quoted from the
            // input in a parser error line do not count.
            assertThat(log.lines()).as("no handler catch-all").noneMatch(l -> CATCH_ALL.matcher(l).find());
            String out = drain(fuzzed);
            assertThat(out).startsWith("INFO {\"server_id\":\"" + SERVER_ID + "\"");
            assertWellFormedDeliveries(afterInfo(drain(watcher)));
        } finally {
            fuzzed.finishAndReleaseAll();
            watcher.finishAndReleaseAll();
        }
    }

    private static String drain(EmbeddedChannel ch) {
        ch.runPendingTasks();
        StringBuilder s = new StringBuilder();
        ByteBuf buf;
        while ((buf = ch.readOutbound()) != null) {
            s.append(buf.toString(StandardCharsets.ISO_8859_1));
            buf.release();
        }
        return s.toString();
    }

    private static String afterInfo(String out) {
        assertThat(out).startsWith("INFO {");
        return out.substring(out.indexOf("\r\n") + 2);
    }

    /** The watcher gets only PING (keepalive) and MSG/HMSG frames whose sizes match their payloads. */
    private static void assertWellFormedDeliveries(String out) {
        int i = 0;
        while (i < out.length()) {
            int eol = out.indexOf("\r\n", i);
            assertThat(eol).as("line end in %s", out.substring(i)).isGreaterThanOrEqualTo(0);
            String[] args = out.substring(i, eol).split(" ");
            i = eol + 2;
            if (args[0].equals("PING") || args[0].equals("PONG")) {
                continue;
            }
            assertThat(args[0]).isIn("MSG", "HMSG");
            int total = Integer.parseInt(args[args.length - 1]);
            assertThat(args.length).isBetween(args[0].equals("MSG") ? 4 : 5, args[0].equals("MSG") ? 5 : 6);
            if (args[0].equals("HMSG")) {
                int headers = Integer.parseInt(args[args.length - 2]);
                assertThat(headers).isBetween(0, total);
            }
            assertThat(out.substring(i + total, i + total + 2)).isEqualTo("\r\n");
            i += total + 2;
        }
    }
}
