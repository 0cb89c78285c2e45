package io.natsboot.server.auth.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.server.NatsServer;
import io.natsboot.server.config.ConfigFileOptions;
import io.natsboot.server.config.ConfigReload;
import io.natsboot.server.config.ServerOptions;
import io.natsboot.server.support.CapturingLog;
import io.natsboot.server.support.Ports;
import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.TrustChain;
import io.natsboot.server.support.Waits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Configuration reloads (SIGHUP) of operator-mode settings, nats-server 2.9.10 against ours with the same files:
 * the {@code Reloaded: ...} lines of an accepted reload (the resolver's settings, preloads and pinned accounts
 * may change; the preloads and pinned accounts apply), and the refusal texts when the operator, the trusted keys
 * or the system account change. After an accepted reload, the same logins succeed and fail on both.
 */
@RequiresBinary("nats-server")
class OperatorReloadDifferentialTest {
    private final TrustChain chain = TrustChain.create();
    private final TrustChain other = TrustChain.create();
    private final TrustChain.Account sys = chain.account("SYS");
    private final TrustChain.Account a = chain.account("A");
    private final TrustChain.Account b = chain.account("B");
    private final String preSys = sys.publicKey() + ": \"" + sys.jwt() + "\"\n";
    private final String preA = a.publicKey() + ": \"" + a.jwt() + "\"\n";
    private final String preB = b.publicKey() + ": \"" + b.jwt() + "\"\n";
    private final String op = "operator: \"DIR/op.jwt\"\n";
    private final String sysAcc = "system_account: " + sys.publicKey() + "\n";
    private final String memory = op + sysAcc + "resolver: MEMORY\n";

    /** What a reload did: the Reloaded lines, or the refusal's message; then A's and B's logins. */
    private record Outcome(List<String> lines, String refused, List<String> logins) {
    }

    private Outcome[] both(String before, String after) throws Exception {
        Path dir = Files.createTempDirectory("op-reload");
        Files.writeString(dir.resolve("op.jwt"), chain.operatorJwt());
        Files.writeString(dir.resolve("op2.jwt"), other.operatorJwt());
        Path f = dir.resolve("s.conf");
        Files.writeString(f, before.replace("DIR", dir.toString()));
        // nats-server
        int port = Ports.free();
        Path log = dir.resolve("ref.log");
        Process p = new ProcessBuilder("/usr/sbin/nats-server", "-c", f.toString(), "-a", "127.0.0.1", "-p",
                Integer.toString(port)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Outcome theirs;
        try {
            Ports.awaitListening(port);
            int from = Waits.read(log).length();
            Files.writeString(f, after.replace("DIR", dir.toString()));
            assertThat(new ProcessBuilder("kill", "-HUP", Long.toString(p.pid())).start().waitFor()).isZero();
            Waits.upTo("nats-server's reload", Duration.ofSeconds(10)).until(() -> {
                String s = Waits.read(log).substring(from);
                return s.contains("Reloaded server configuration") || s.contains("Failed to reload")
                        && s.endsWith("\n");
            });
            String s = Waits.read(log).substring(from).replaceAll("(?m)^\\[\\d+\\] [0-9/]+ [0-9:.]+ ", "");
            List<String> lines = new ArrayList<>();
            String refused = null;
            int failed = s.indexOf("[ERR] Failed to reload server configuration: ");
            if (failed >= 0) {
                refused = s.substring(failed + "[ERR] Failed to reload server configuration: ".length()).strip();
            } else {
                for (String l : s.split("\n")) {
                    if (l.startsWith("[INF] Reloaded: ")) {
                        lines.add(l.substring(6));
                    }
                }
            }
            theirs = new Outcome(lines, refused, logins(port));
        } finally {
            p.destroy();
            p.waitFor(5, TimeUnit.SECONDS);
        }
        // ours, as NatsServerMain reloads on SIGHUP
        Files.writeString(f, before.replace("DIR", dir.toString()));
        NatsServer ours = new NatsServer(options(f), new CapturingLog());
        ours.start();
        Outcome mine;
        try {
            Files.writeString(f, after.replace("DIR", dir.toString()));
            ServerOptions next = options(f);
            try {
                ConfigReload.Plan plan = ConfigReload.diff(ours.options(), next, ours.port());
                ours.reload(next, plan.authChanged());
                mine = new Outcome(plan.lines(), null, logins(ours.port()));
            } catch (ConfigReload.Refused e) {
                mine = new Outcome(List.of(), e.getMessage(), logins(ours.port()));
            }
        } finally {
            ours.shutdown();
        }
        return new Outcome[] {theirs, mine};
    }

    private static ServerOptions options(Path f) throws Exception {
        ServerOptions.Builder b = ServerOptions.builder();
        assertThat(ConfigFileOptions.load(f.toString(), b).errors()).isEmpty();
        return b.host("127.0.0.1").port(0).build();
    }

    private List<String> logins(int port) throws Exception {
        return List.of(OperatorModeDifferentialTest.session(port, a.user("ua"), "", "", true).strip(),
                OperatorModeDifferentialTest.session(port, b.user("ub"), "", "", true).strip());
    }

    private Outcome same(String before, String after) throws Exception {
        Outcome[] o = both(before, after);
        assertThat(o[1]).as("ours; nats-server: %s", o[0]).isEqualTo(o[0]);
        return o[0];
    }

    private static final List<String> ACCEPTED = List.of("Reloaded: authorization users", "Reloaded: accounts",
            "Reloaded: accounts");
    private static final String OK = "PONG";
    private static final String NO = "-ERR 'Authorization Violation'\r\n<closed>";

    @Test
    void unchangedAndResolverSettingsAreAccepted() throws Exception {
        String pre = "resolver_preload: {\n" + preSys + preA + "}\n";
        assertThat(same(memory + pre, memory + pre)).isEqualTo(new Outcome(ACCEPTED, null, List.of(OK, NO)));
        // the new resolver is used from then on: an account server nobody answers at knows no account
        assertThat(same(memory + pre, op + sysAcc + "resolver: URL(http://127.0.0.1:1/x/)\n" + pre))
                .isEqualTo(new Outcome(ACCEPTED, null, List.of(NO, NO)));
        String full = op + sysAcc + pre + "resolver: {type: full, dir: \"DIR/jwt\"";
        assertThat(same(full + "}\n", full + ", interval: \"2m\", allow_delete: true}\n").lines()).isEqualTo(ACCEPTED);
    }

    @Test
    void preloadsAndPinnedAccountsApply() throws Exception {
        assertThat(same(memory + "resolver_preload: {\n" + preSys + "}\n",
                memory + "resolver_preload: {\n" + preSys + preA + "}\n"))
                .isEqualTo(new Outcome(ACCEPTED, null, List.of(OK, NO)));
        String all = "resolver_preload: {\n" + preSys + preA + preB + "}\n";
        assertThat(same(memory + all, memory + "resolver_pinned_accounts: [" + a.publicKey() + "]\n" + all))
                .isEqualTo(new Outcome(ACCEPTED, null, List.of(OK, NO)));
    }

    @Test
    void operatorKeysAndSystemAccountCannotChange() throws Exception {
        String pre = "resolver_preload: {\n" + preSys + preA + "}\n";
        Outcome operator = same(memory + pre, "operator: \"DIR/op2.jwt\"\n" + sysAcc + "resolver: MEMORY\n" + pre);
        assertThat(operator.refused()).startsWith("config reload not supported for TrustedOperators: old=[{\n  \"jti\"");
        Outcome system = same(memory + pre, op + "system_account: " + a.publicKey() + "\nresolver: MEMORY\n" + pre);
        assertThat(system.refused()).isEqualTo("config reload not supported for SystemAccount: old=" + sys.publicKey()
                + ", new=" + a.publicKey());
        Outcome gone = same(memory + pre, "max_payload: 1000\n");
        assertThat(gone.refused()).isEqualTo("config reload not supported for SystemAccount: old=" + sys.publicKey()
                + ", new=");
        String key = TrustChain.pub(chain.operator);
        String signer = TrustChain.pub(chain.operatorSigner);
        Outcome keys = same("trusted_keys: [\"" + key + "\"]\n", "trusted_keys: [\"" + key + "\", \"" + signer + "\"]\n");
        assertThat(keys.refused()).startsWith("config reload not supported for TrustedKeys: old=[" + key + "], new=[");
        assertThat(same("trusted_keys: [\"" + key + "\"]\n", "trusted_keys: [\"" + key + "\"]\n").lines())
                .containsExactly("Reloaded: authorization users", "Reloaded: accounts");
    }
}
