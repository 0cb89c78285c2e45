package io.natsboot.server.system;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.natsboot.server.config.ConfParser;
import io.natsboot.server.config.ConfigFileOptions;
import io.natsboot.server.config.ServerOptions;
import io.natsboot.server.monitor.Monitor;
import io.natsboot.server.support.Deliveries;
import io.natsboot.server.support.RunningServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The system account is a real account: its users connect, subscribe to $SYS.> and talk to each other. */
class SystemAccountTest {

    static ServerOptions.Builder conf(ServerOptions.Builder b, String text) {
        try {
            ConfigFileOptions.Outcome o = ConfigFileOptions.apply(ConfParser.parseString(text, "test.conf", System::getenv), b);
            assertThat(o.errors()).isEmpty();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return b.host("127.0.0.1").port(0);
    }

    static Connection connect(RunningServer s, String user) throws Exception {
        return Nats.connect(new Options.Builder().server(s.url()).userInfo(user, user).maxReconnects(0)
                .connectionTimeout(Duration.ofSeconds(5)).build());
    }

    @Test
    void configuredSystemAccountUsersSubscribeToSys() throws Exception {
        try (RunningServer s = RunningServer.start(b -> conf(b, "system_account: SYS\n"
                + "accounts { SYS { users=[{user:sys,password:sys}] }, A { users=[{user:a,password:a}] } }"));
             Connection sys1 = connect(s, "sys");
             Connection sys2 = connect(s, "sys");
             Connection a = connect(s, "a")) {
            assertThat(s.server().context().systemAccount().name()).isEqualTo("SYS");
            io.nats.client.Subscription sub = sys1.subscribe("$SYS.>");
            io.nats.client.Subscription inA = a.subscribe("$SYS.>");
            sys1.flush(Duration.ofSeconds(5));
            a.flush(Duration.ofSeconds(5));
            sys2.publish("$SYS.test.hello", "hi".getBytes(StandardCharsets.UTF_8));
            sys2.flush(Duration.ofSeconds(5));
            Message m;
            do { // the server's own events arrive on $SYS.> too
                m = sub.nextMessage(Duration.ofSeconds(5));
                assertThat(m).isNotNull();
            } while (!m.getSubject().equals("$SYS.test.hello"));
            assertThat(new String(m.getData(), StandardCharsets.UTF_8)).isEqualTo("hi");
            // account A is a different subject space: its $SYS.> sees nothing of the system account
            Deliveries.assertNothingMore(a, inA, "nothing of the system account in A");
            Monitor mon = s.server().snapshots();
            assertThat(mon.varz().toJson(false)).contains("\"system_account\":\"SYS\"");
            assertThat(mon.accountz(null).toJson(false)).contains("\"system_account\":\"SYS\"");
            assertThat(mon.accountz("SYS").toJson(false)).contains("\"is_system\":true");
        }
    }

    @Test
    void defaultSystemAccountIsDollarSys() throws Exception {
        try (RunningServer s = RunningServer.start(b -> conf(b,
                "accounts { $SYS { users=[{user:sys,password:sys}] } }\nauthorization { users=[{user:g,password:g}] }"));
             Connection sys = connect(s, "sys")) {
            assertThat(s.server().context().systemAccount().name()).isEqualTo("$SYS");
            io.nats.client.Subscription sub = sys.subscribe("$SYS.>");
            sys.flush(Duration.ofSeconds(5));
            assertThat(sub.isActive()).isTrue();
            assertThat(s.server().snapshots().varz().toJson(false)).contains("\"system_account\":\"$SYS\"");
        }
        try (RunningServer s = RunningServer.start(b -> b)) {
            assertThat(s.server().context().systemAccount().name()).isEqualTo("$SYS");
            assertThat(s.server().context().account("$SYS")).isNotNull();
        }
    }

    @Test
    void noSystemAccount() {
        try (RunningServer s = RunningServer.start(b -> conf(b, "no_system_account: true"))) {
            assertThat(s.server().context().systemAccount()).isNull();
            assertThat(s.server().context().account("$SYS")).isNull();
            assertThat(s.server().snapshots().varz().toJson(false)).doesNotContain("system_account");
        }
    }

    /** A server started again after a shutdown (a Spring context restart) has one working system account. */
    @Test
    void restartedServerAnswersPingOnce() throws Exception {
        try (RunningServer s = RunningServer.start(b -> conf(b, "accounts { $SYS { users=[{user:sys,password:sys}] } }"))) {
            s.server().shutdown();
            s.server().start();
            try (Connection sys = connect(s, "sys")) {
                io.nats.client.Subscription answers = sys.subscribe("_INBOX.restart");
                sys.publish("$SYS.REQ.SERVER.PING", "_INBOX.restart", new byte[0]);
                sys.flush(Duration.ofSeconds(5));
                Message m = answers.nextMessage(Duration.ofSeconds(5));
                assertThat(m).isNotNull();
                assertThat(new String(m.getData(), StandardCharsets.UTF_8)).contains("\"statsz\":{");
                // a second answer would come from a system account left over from the first run
                sys.publish("$SYS.REQ.SERVER.PING.HEALTHZ", "_INBOX.restart", new byte[0]);
                Message next = answers.nextMessage(Duration.ofSeconds(5));
                assertThat(new String(next.getData(), StandardCharsets.UTF_8)).contains("\"status\":\"ok\"");
            }
        }
    }
}
