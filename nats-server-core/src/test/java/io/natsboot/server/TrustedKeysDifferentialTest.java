package io.natsboot.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.server.config.ConfigFileOptions;
import io.natsboot.server.support.Ports;
import io.natsboot.server.support.RawClient;
import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.RunningServer;
import io.natsboot.server.support.TrustChain;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code trusted}/{@code trusted_keys}: operator public keys trusted without an operator JWT, against nats-server
 * 2.9.10 with the same files. Probed on 2.9.10: it starts with only the keys (no resolver: every account is
 * missing), without the "Trusted Operators" banner; accounts signed by a listed key log in, those signed by a key
 * not listed (the operator's signing key, unless listed too) do not; only JWT logins count, configured users are
 * ignored; a key that is no operator key is a config error ({@code -t} too); with an operator JWT as well the start
 * is refused.
 */
@RequiresBinary("nats-server")
class TrustedKeysDifferentialTest {
    private final TrustChain chain = TrustChain.create();
    private final TrustChain.Account a = chain.account("A");
    private final TrustChain.Account b = chain.account("B");
    private final String op = TrustChain.pub(chain.operator);
    private final String signer = TrustChain.pub(chain.operatorSigner);
    // A signed by the operator's identity key, B by its signing key
    private final String preload = "resolver: MEMORY\nresolver_preload: {" + a.publicKey() + ": \""
            + a.jwtSignedByOperatorIdentity() + "\", " + b.publicKey() + ": \"" + b.jwt() + "\"}\n";

    private Path conf(String text) throws Exception {
        Path dir = Files.createTempDirectory("trusted");
        Files.writeString(dir.resolve("op.jwt"), chain.operatorJwt());
        Path f = dir.resolve("s.conf");
        Files.writeString(f, text.replace("OPJWT", dir.resolve("op.jwt").toString()));
        return f;
    }

    /** The client sessions of one server: A's user, B's user, no JWT, a configured user's password. */
    private List<String> sessions(int port) throws Exception {
        List<String> out = new ArrayList<>();
        for (TrustChain.Account acc : List.of(a, b)) {
            out.add(session(port, acc.user("u" + acc.name), ""));
        }
        out.add(session(port, null, ""));
        out.add(session(port, null, ",\"user\":\"u\",\"pass\":\"p\""));
        try (RawClient c = new RawClient(port)) {
            String info = c.readInfo();
            out.add("auth_required " + info.contains("\"auth_required\":true") + ", nonce " + info.contains("\"nonce\""));
        }
        return out;
    }

    static String session(int port, TrustChain.User u, String extra) throws Exception {
        try (RawClient c = new RawClient(port)) {
            String nonce = c.readInfo().replaceAll("(?s).*\"nonce\":\"([^\"]*)\".*", "$1");
            StringBuilder connect = new StringBuilder("CONNECT {\"verbose\":false,\"pedantic\":false");
            if (u != null) {
                connect.append(",\"jwt\":\"").append(u.jwt()).append("\",\"sig\":\"").append(Base64.getUrlEncoder()
                        .withoutPadding().encodeToString(u.key.sign(nonce.getBytes(StandardCharsets.US_ASCII))))
                        .append('"');
            }
            c.send(connect.append(extra).append("}\r\nPING\r\n").toString());
            StringBuilder out = new StringBuilder();
            String line;
            while ((line = c.readLine()) != null) {
                out.append(line);
                if (line.equals("PONG\r\n")) {
                    return out.toString();
                }
            }
            return out + "<closed>";
        }
    }

    /** Sessions on nats-server and ours with {@code text}; both lists, equal, returned; no operator banner. */
    private List<String> sameSessions(String text) throws Exception {
        Path f = conf(text);
        int port = Ports.free();
        Path log = f.resolveSibling("ref.log");
        Process p = new ProcessBuilder("/usr/sbin/nats-server", "-c", f.toString(), "-a", "127.0.0.1", "-p",
                Integer.toString(port)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        List<String> theirs;
        try {
            Ports.awaitListening(port);
            theirs = sessions(port);
        } finally {
            p.destroy();
            p.waitFor(5, TimeUnit.SECONDS);
        }
        assertThat(Files.readString(log)).doesNotContain("Trusted Operators");
        try (RunningServer ours = RunningServer.start(bld -> {
            try {
                assertThat(ConfigFileOptions.load(f.toString(), bld).errors()).isEmpty();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return bld;
        })) {
            assertThat(sessions(ours.port())).as("ours, nats-server gave %s", theirs).isEqualTo(theirs);
            assertThat(ours.log().lines()).noneMatch(l -> l.contains("Trusted Operators"));
        }
        return theirs;
    }

    private static final String OK = "PONG\r\n";
    private static final String NO = "-ERR 'Authorization Violation'\r\n<closed>";
    private static final String AUTH = "auth_required true, nonce true";

    @Test
    void onlyTrustedKeysStartsWithoutAccounts() throws Exception {
        assertThat(sameSessions("trusted_keys: [\"" + op + "\"]\n")).containsExactly(NO, NO, NO, NO, AUTH);
    }

    @Test
    void accountsSignedByATrustedKeyLogIn() throws Exception {
        assertThat(sameSessions("trusted: \"" + op + "\"\n" + preload)).containsExactly(OK, NO, NO, NO, AUTH);
        assertThat(sameSessions("trusted_keys: [\"" + op + "\", \"" + signer + "\"]\n" + preload))
                .containsExactly(OK, OK, NO, NO, AUTH);
    }

    @Test
    void configuredUsersDoNotLogInNextToTrustedKeys() throws Exception {
        assertThat(sameSessions("trusted_keys: [\"" + op + "\"]\nauthorization { users: [{user: u, password: p}] }\n"
                + preload)).containsExactly(OK, NO, NO, NO, AUTH);
    }

    private record Outcome(int exit, String output) {
    }

    private static Outcome reference(Path conf, String... extra) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("/usr/sbin/nats-server", "-c", conf.toString()));
        cmd.addAll(List.of(extra));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).as("nats-server exits").isTrue();
        return new Outcome(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private static Outcome ours(Path conf, String... extra) {
        List<String> args = new ArrayList<>(List.of("-c", conf.toString()));
        args.addAll(List.of(extra));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = NatsServerMain.run(args.toArray(String[]::new), new PrintStream(out, true), new PrintStream(err, true));
        return new Outcome(exit, err.toString(StandardCharsets.UTF_8) + out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void badKeysAreConfigErrorsAndAnOperatorBesideThemIsRefused() throws Exception {
        String userKey = a.user("x").publicKey();
        for (String text : List.of("trusted_keys: [\"ABC\"]\n", "trusted_keys: 5\n",
                "trusted: \"" + userKey + "\"\n", "trusted_keys: {a: \"b\"}\n")) {
            Path f = conf(text);
            Outcome theirs = reference(f, "-t");
            assertThat(theirs.exit()).as(text).isEqualTo(1);
            assertThat(ours(f, "-t")).as(text).isEqualTo(theirs);
        }
        Path both = conf("trusted_keys: [\"" + op + "\"]\noperator: \"OPJWT\"\nresolver: MEMORY\n");
        Outcome theirs = reference(both, "-a", "127.0.0.1", "-p", "-1");
        assertThat(theirs).isEqualTo(new Outcome(1, "nats-server: conflicting options for 'TrustedKeys' and "
                + "'TrustedOperators'\n"));
        assertThat(ours(both, "-a", "127.0.0.1", "-p", "-1")).isEqualTo(theirs);
        Outcome valid = reference(both, "-t");
        assertThat(ours(both, "-t")).isEqualTo(valid);
    }
}
