package io.natsboot.server.system;

import static io.natsboot.server.system.SysDiff.shape;
import static io.natsboot.server.system.SysDiff.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.nats.client.Connection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The system account's events against nats-server 2.9.10: the same conf file, a system user on $SYS.>, the same
 * client actions; the event subjects must come in the same order, each message with the same JSON keys in the
 * same order and the same stable values (types, accounts, counts, traffic, users, reasons).
 */
class SystemEventsDifferentialTest {
    static final String CONF = "system_account: SYS\n"
            + "accounts {\n"
            + "  SYS { users=[{user:sys,password:sys}] }\n"
            + "  A { users=[{user:a,password:a}] }\n"
            + "}\n"
            + "authorization { users=[{user:g,password:g}] }\n";

    static final String[] STABLE = {"type", "acc", "conns", "leafnodes", "total_conns", "sent", "received",
            "slow_consumers", "reason", "server.name", "server.host", "server.ver", "server.jetstream",
            "server.cluster", "client.host", "client.acc", "client.user", "client.name", "client.lang",
            "client.ver", "client.kind", "client.client_type"};

    record Run(List<SysDiff.Msg> events, SysDiff.Msg statsz, String id) {
    }

    @Test
    void connectDisconnectAuthErrorAndStatsz() throws Exception {
        Path conf = SysDiff.conf(CONF);
        Run theirs;
        try (SysDiff.Server go = SysDiff.go(conf, "srvA")) {
            theirs = scenario(go);
        }
        Run ours;
        try (SysDiff.Server j = SysDiff.ours(conf, "srvA")) {
            ours = scenario(j);
        }
        assertThat(subjects(ours.events(), ours.id())).isEqualTo(subjects(theirs.events(), theirs.id()));
        for (int i = 0; i < theirs.events().size(); i++) {
            Map<String, Object> t = theirs.events().get(i).json();
            Map<String, Object> o = ours.events().get(i).json();
            String what = theirs.events().get(i).subject().replace(theirs.id(), "<id>") + " #" + i;
            assertThat(shape(o)).as(what).isEqualTo(shape(t));
            assertThat(values(o, STABLE)).as(what).isEqualTo(values(t, STABLE));
        }
        assertThat(shape(ours.statsz().json())).isEqualTo(shape(theirs.statsz().json()));
        // the first periodic one, whenever it came: counts depend on the moment (PING answers compare them)
        assertThat(values(ours.statsz().json(), "server.name", "statsz.active_servers", "statsz.slow_consumers"))
                .isEqualTo(values(theirs.statsz().json(), "server.name", "statsz.active_servers",
                        "statsz.slow_consumers"));
    }

    /** The last message of a stopping server: $SYS.SERVER.<id>.SHUTDOWN with the bare server object. */
    @Test
    void shutdownEvent() throws Exception {
        Path conf = SysDiff.conf(CONF);
        SysDiff.Msg theirs = shutdown(SysDiff.go(conf, "srvA"));
        SysDiff.Msg ours = shutdown(SysDiff.ours(conf, "srvA"));
        assertThat(shape(ours.json())).isEqualTo(shape(theirs.json()));
        assertThat(values(ours.json(), "name", "host", "ver", "jetstream"))
                .isEqualTo(values(theirs.json(), "name", "host", "ver", "jetstream"));
    }

    private static SysDiff.Msg shutdown(SysDiff.Server s) throws Exception {
        try (SysDiff.Listener sys = new SysDiff.Listener(s.url(), "sys", "$SYS.SERVER.*.SHUTDOWN")) {
            s.close();
            await().atMost(Duration.ofSeconds(10)).until(() -> !sys.msgs.isEmpty());
            SysDiff.Msg m = sys.msgs.get(0);
            assertThat(m.subject()).isEqualTo("$SYS.SERVER." + s.id() + ".SHUTDOWN");
            return m;
        }
    }

    private static List<String> subjects(List<SysDiff.Msg> msgs, String id) {
        List<String> out = new ArrayList<>();
        for (SysDiff.Msg m : msgs) {
            out.add(m.subject().replace(id, "<id>"));
        }
        return out;
    }

    /**
     * A client of account A connects, publishes twice and leaves; a wrong password is refused; a global user
     * comes and goes.
     */
    private static Run scenario(SysDiff.Server s) throws Exception {
        try (SysDiff.Listener sys = new SysDiff.Listener(s.url(), "sys", "$SYS.>")) {
            // the start-up probe connection must be gone (a busy machine may be slow to see it close): it counts in $G
            await().atMost(Duration.ofSeconds(10)).until(() -> connections(sys.connection()) == 1);
            sys.msgs.clear();
            try (Connection a = SysDiff.connect(s.url(), "a", "a")) {
                a.publish("foo", "hi".getBytes(StandardCharsets.UTF_8));
                a.publish("foo", "abc".getBytes(StandardCharsets.UTF_8));
                a.flush(Duration.ofSeconds(5));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> has(sys, ".A.DISCONNECT"));
            assertThatThrownBy(() -> SysDiff.connect(s.url(), "a", "wrong")).isNotNull();
            await().atMost(Duration.ofSeconds(10)).until(() -> has(sys, ".CLIENT.AUTH.ERR"));
            try (Connection g = SysDiff.connect(s.url(), "g", "g")) {
                g.flush(Duration.ofSeconds(5));
            }
            // quiet: a round trip after the last action lets what is on its way arrive
            sys.connection().flush(Duration.ofSeconds(5));
            await().pollDelay(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> true);
            List<SysDiff.Msg> events = new ArrayList<>(sys.without(".STATSZ"));
            events.removeIf(m -> m.subject().startsWith("$SYS.REQ.")); // our own CONNZ requests above
            await().atMost(Duration.ofSeconds(10)).until(() -> !sys.msgs.stream()
                    .filter(m -> m.subject().endsWith(".STATSZ")).toList().isEmpty());
            SysDiff.Msg statsz = sys.msgs.stream().filter(m -> m.subject().endsWith(".STATSZ")).findFirst().get();
            return new Run(events, statsz, s.id());
        }
    }

    private static long connections(Connection sys) throws Exception {
        io.nats.client.Message m = sys.request("$SYS.REQ.SERVER.PING.CONNZ", new byte[0], Duration.ofSeconds(5));
        Object n = SysDiff.at(io.natsboot.server.protocol.Json.parseObject(
                new String(m.getData(), StandardCharsets.UTF_8)), "data.num_connections");
        return n instanceof Long l ? l : -1;
    }

    private static boolean has(SysDiff.Listener l, String suffix) {
        return l.msgs.stream().anyMatch(m -> m.subject().endsWith(suffix));
    }
}
