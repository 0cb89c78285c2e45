package io.natsboot.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.server.config.ConfigFileOptions;
import io.natsboot.server.support.Deliveries;
import io.natsboot.server.support.Ports;
import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.RunningServer;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.Subscription;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Accounts: isolated subject spaces, stream and service exports/imports. Every scenario runs against our
 * server and against the real nats-server 2.9.10 with the same configuration file, and must behave the same.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@RequiresBinary("nats-server")
class AccountsTest {
    static final String CONF = """
            accounts {
              A: {
                users: [ {user: a, password: a} ]
                exports: [ {stream: "events.>"}, {service: "help.>"} ]
              }
              B: {
                users: [ {user: b, password: b} ]
                imports: [
                  {stream: {account: A, subject: "events.>"}, prefix: "from_a"}
                  {service: {account: A, subject: "help.me"}, to: "ask"}
                ]
              }
              C: {
                users: [ {user: c, password: c} ]
                imports: [ {service: {account: A, subject: "help.me"}} ]
              }
            }
            authorization { users: [ {user: g, password: g} ] }
            """;

    private Path dir;
    private RunningServer ours;
    private Process reference;
    private int refPort;

    @BeforeAll
    void start() throws Exception {
        dir = Files.createTempDirectory("accounts");
        Path conf = dir.resolve("accounts.conf");
        Files.writeString(conf, CONF);
        ours = RunningServer.start(load(conf));
        refPort = io.natsboot.server.support.Ports.free();
        reference = new ProcessBuilder("/usr/sbin/nats-server", "-c", conf.toString(), "-a", "127.0.0.1", "-p",
                Integer.toString(refPort)).redirectErrorStream(true).redirectOutput(dir.resolve("ref.log").toFile())
                .start();
        Ports.awaitListening(refPort);
    }

    static UnaryOperator<io.natsboot.server.config.ServerOptions.Builder> load(Path conf) {
        return b -> {
            try {
                assertThat(ConfigFileOptions.load(conf.toString(), b).errors()).isEmpty();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return b.host("127.0.0.1").port(0);
        };
    }

    @AfterAll
    void stop() {
        if (ours != null) {
            ours.close();
        }
        if (reference != null) {
            reference.destroy();
        }
    }

    private Connection connect(String server, String user) throws Exception {
        int port = server.equals("ours") ? ours.port() : refPort;
        return Nats.connect(new Options.Builder().server("nats://127.0.0.1:" + port)
                .userInfo(user, user).connectionTimeout(Duration.ofSeconds(2)).build());
    }

    private static String text(Message m) {
        return m == null ? null : m.getSubject() + ":" + new String(m.getData(), StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ours", "nats-server"})
    void accountsDoNotSeeEachOthersSubjects(String server) throws Exception {
        try (Connection a1 = connect(server, "a"); Connection a2 = connect(server, "a");
             Connection c = connect(server, "c"); Connection g = connect(server, "g")) {
            Subscription sub = a1.subscribe("iso.x");
            a1.flush(Duration.ofSeconds(2));
            c.publish("iso.x", "from-c".getBytes(StandardCharsets.UTF_8));
            g.publish("iso.x", "from-g".getBytes(StandardCharsets.UTF_8));
            c.flush(Duration.ofSeconds(2));
            g.flush(Duration.ofSeconds(2));
            a2.publish("iso.x", "from-a".getBytes(StandardCharsets.UTF_8));
            a2.flush(Duration.ofSeconds(2));
            assertThat(text(sub.nextMessage(Duration.ofSeconds(2)))).isEqualTo("iso.x:from-a");
            Deliveries.assertNothingMore(a1, sub, "nothing from other accounts");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"ours", "nats-server"})
    void streamImportWithPrefix(String server) throws Exception {
        try (Connection a = connect(server, "a"); Connection b = connect(server, "b"); Connection c = connect(server, "c")) {
            Subscription inB = b.subscribe("from_a.events.>");
            Subscription plainInB = b.subscribe("events.>");
            Subscription inC = c.subscribe(">");
            b.flush(Duration.ofSeconds(2));
            c.flush(Duration.ofSeconds(2));
            a.publish("events.one", "1".getBytes(StandardCharsets.UTF_8));
            a.publish("private.two", "2".getBytes(StandardCharsets.UTF_8));
            a.flush(Duration.ofSeconds(2));
            assertThat(text(inB.nextMessage(Duration.ofSeconds(2)))).isEqualTo("from_a.events.one:1");
            Deliveries.assertNothingMore(b, inB, "private.two is not exported");
            Deliveries.assertNothingMore(b, plainInB, "only under the prefix");
            Deliveries.assertNothingMore(c, inC, "C imports no stream");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"ours", "nats-server"})
    void serviceImportRequestReply(String server) throws Exception {
        try (Connection a = connect(server, "a"); Connection b = connect(server, "b"); Connection c = connect(server, "c")) {
            a.createDispatcher(m -> a.publish(m.getReplyTo(),
                    ("sure:" + m.getSubject() + ":" + new String(m.getData(), StandardCharsets.UTF_8))
                            .getBytes(StandardCharsets.UTF_8))).subscribe("help.me");
            a.flush(Duration.ofSeconds(2));
            // B asks on its local name "ask"; A's responder sees its own subject "help.me".
            Message r = b.request("ask", "b?".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(2));
            assertThat(text(r)).startsWith("_INBOX.").endsWith(":sure:help.me:b?");
            // C imports it under the same name.
            Message rc = c.request("help.me", "c?".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(2));
            assertThat(new String(rc.getData(), StandardCharsets.UTF_8)).isEqualTo("sure:help.me:c?");
            // In B "help.me" is not imported: nobody answers, and the 503 ends the request at once (jnats
            // cancels the future on a no-responders status) rather than after the timeout.
            long t0 = System.nanoTime();
            CompletableFuture<Message> none = b.request("help.me", new byte[0]);
            boolean noAnswer = false;
            try {
                none.get(5, TimeUnit.SECONDS);
            } catch (ExecutionException | java.util.concurrent.CancellationException e) {
                noAnswer = true;
            }
            assertThat(noAnswer).as("no responders in B for help.me").isTrue();
            assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(2));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"ours", "nats-server"})
    void manyRequestsThroughTheImportAllGetAnswers(String server) throws Exception {
        try (Connection a = connect(server, "a"); Connection b = connect(server, "b")) {
            a.createDispatcher(m -> a.publish(m.getReplyTo(), m.getData())).subscribe("help.me");
            a.flush(Duration.ofSeconds(2));
            List<CompletableFuture<Message>> futures = new java.util.ArrayList<>();
            for (int i = 0; i < 200; i++) {
                futures.add(b.request("ask", ("q" + i).getBytes(StandardCharsets.UTF_8)));
            }
            for (int i = 0; i < 200; i++) {
                assertThat(new String(futures.get(i).get(5, TimeUnit.SECONDS).getData(), StandardCharsets.UTF_8))
                        .isEqualTo("q" + i);
            }
        }
    }
}
