package io.natsboot.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.server.support.TrustChain;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Operator-mode configuration files checked by nats-server 2.9.10 and by us, with {@code -t} (parse errors with
 * their positions) and at start (nats-server's validation, which {@code -t} does not run): same stderr, same exit.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OperatorConfigCheckTest {
    private Path dir;
    private TrustChain chain;
    private TrustChain.Account sys;
    private Path op;

    @BeforeAll
    void setUp() throws Exception {
        assertThat(Path.of("/usr/sbin/nats-server")).as("the Debian package nats-server must be installed").exists();
        dir = Files.createTempDirectory("operator-conf");
        chain = TrustChain.create();
        sys = chain.account("SYS");
        op = dir.resolve("op.jwt");
        Files.writeString(op, chain.operatorJwt());
        Files.writeString(dir.resolve("account.jwt"), sys.jwt());
    }

    private record Outcome(int exit, String stderr) {
    }

    private Outcome reference(Path conf, String... extra) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("/usr/sbin/nats-server", "-c", conf.toString()));
        cmd.addAll(List.of(extra));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).as("nats-server exits").isTrue();
        return new Outcome(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private Outcome ours(Path conf, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("-c", conf.toString()));
        args.addAll(List.of(extra));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = NatsServerMain.run(args.toArray(String[]::new), new PrintStream(out, true), new PrintStream(err, true));
        return new Outcome(exit, err.toString(StandardCharsets.UTF_8) + out.toString(StandardCharsets.UTF_8));
    }

    private Path conf(String name, String text) throws Exception {
        Path p = dir.resolve(name + ".conf");
        Files.writeString(p, text);
        return p;
    }

    private void sameWithT(String name, String text, String expected) throws Exception {
        Path p = conf(name, text);
        Outcome theirs = reference(p, "-t");
        assertThat(theirs.stderr()).as("nats-server -t").contains(expected);
        assertThat(ours(p, "-t")).as("ours -t").isEqualTo(theirs);
    }

    private void sameAtStart(String name, String text, String expected) throws Exception {
        Path p = conf(name, text);
        Outcome theirs = reference(p, "-a", "127.0.0.1", "-p", "-1");
        assertThat(theirs.stderr()).as("nats-server").isEqualTo("nats-server: " + expected + "\n");
        assertThat(theirs.exit()).isEqualTo(1);
        assertThat(ours(p, "-a", "127.0.0.1", "-p", "-1")).isEqualTo(theirs);
    }

    @Test
    void validFiles() throws Exception {
        sameWithT("file", "operator: \"" + op + "\"\nresolver: MEMORY\n", "is valid");
        sameWithT("inline", "operator: " + chain.operatorJwt() + "\nresolver: MEMORY\n", "is valid");
        sameWithT("preload", "operator: \"" + op + "\"\nsystem_account: " + sys.publicKey()
                + "\nresolver: MEMORY\nresolver_preload: {\n  " + sys.publicKey() + ": " + sys.jwt() + "\n}\n",
                "is valid");
        sameWithT("url", "operator: \"" + op + "\"\nresolver: URL(http://127.0.0.1:1/jwt/v1/accounts/)\n", "is valid");
        sameWithT("full", "operator: \"" + op + "\"\nsystem_account: " + sys.publicKey()
                + "\nresolver: {type: full, dir: \"" + dir.resolve("jwt") + "\", allow_delete: true, interval: \"2m\"}\n",
                "is valid");
        sameWithT("cache", "operator: \"" + op + "\"\nsystem_account: " + sys.publicKey()
                + "\nresolver: {type: cache, dir: \"" + dir.resolve("jwtc") + "\", limit: 10, ttl: \"1h\"}\n",
                "is valid");
        sameWithT("decorated", "operator: \"" + writeDecorated() + "\"\nresolver: MEMORY\n", "is valid");
    }

    private Path writeDecorated() throws Exception {
        Path p = dir.resolve("decorated.jwt");
        Files.writeString(p, "-----BEGIN NATS OPERATOR JWT-----\n" + chain.operatorJwt()
                + "\n------END NATS OPERATOR JWT------\n");
        return p;
    }

    @Test
    void parseErrors() throws Exception {
        sameWithT("missing", "operator: /nonexistent/op.jwt\nresolver: MEMORY\n",
                "error parsing operator JWT: open /nonexistent/op.jwt: no such file or directory");
        sameWithT("notop", "operator: \"" + dir.resolve("account.jwt") + "\"\nresolver: MEMORY\n",
                "error parsing operator JWT: not operator claim");
        sameWithT("optype", "operator: 5\nresolver: MEMORY\n", "error parsing operators: unsupported type int64");
        sameWithT("badres", "operator: \"" + op + "\"\nresolver: FOO\n", "error parsing account resolver");
        sameWithT("restype", "operator: \"" + op + "\"\nresolver: 5\n",
                "error parsing operator resolver, wrong type int64");
        sameWithT("nodir", "operator: \"" + op + "\"\nresolver: {type: full}\n",
                "dir has no value and needs to point to a directory");
        sameWithT("cacheopts", "operator: \"" + op + "\"\nresolver: {type: cache, dir: \"" + dir.resolve("c2")
                + "\", allow_delete: true, interval: \"2m\"}\n", "CACHE does not accept allow_delete");
        sameWithT("fullttl", "operator: \"" + op + "\"\nresolver: {type: full, dir: \"" + dir.resolve("f2")
                + "\", ttl: \"2m\"}\n", "FULL does not accept ttl");
        sameWithT("badinterval", "operator: \"" + op + "\"\nresolver: {type: full, dir: \"" + dir.resolve("f3")
                + "\", interval: \"xx\"}\n", "time: invalid duration \"xx\"");
        sameWithT("preloadtype", "operator: \"" + op + "\"\nresolver: MEMORY\nresolver_preload: 5\n",
                "preload should be a map of account_public_key:account_jwt");
        // one bad entry per file: Go walks the preload map in random order
        sameWithT("preloadnumber", "operator: \"" + op + "\"\nresolver: MEMORY\nresolver_preload: {AX: 5}\n",
                "preload map value should be a string JWT");
        sameWithT("preloadjunk", "operator: \"" + op + "\"\nresolver: MEMORY\nresolver_preload: {AY: foo}\n",
                "invalid account JWT");
    }

    @Test
    void reloadKeepsAnUnchangedOperatorAndRefusesALostSystemAccount() throws Exception {
        Path p = conf("reload", "operator: \"" + op + "\"\nsystem_account: " + sys.publicKey()
                + "\nresolver: MEMORY\nresolver_preload: {\n  " + sys.publicKey() + ": " + sys.jwt() + "\n}\n");
        io.natsboot.server.config.ServerOptions first = load(p);
        io.natsboot.server.config.ServerOptions again = load(p);
        assertThat(again.trust()).isEqualTo(first.trust());
        io.natsboot.server.config.ConfigReload.diff(first, again, 4222); // no exception: nothing changed
        Path other = conf("reload2", "operator: \"" + op + "\"\nresolver: MEMORY\n");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> io.natsboot.server.config.ConfigReload.diff(first, load(other), 4222))
                .hasMessage("config reload not supported for SystemAccount: old=" + sys.publicKey() + ", new=");
    }

    private static io.natsboot.server.config.ServerOptions load(Path p) throws Exception {
        io.natsboot.server.config.ServerOptions.Builder b = io.natsboot.server.config.ServerOptions.builder();
        assertThat(io.natsboot.server.config.ConfigFileOptions.load(p.toString(), b).errors()).isEmpty();
        return b.build();
    }

    @Test
    void startupValidation() throws Exception {
        sameAtStart("users", "operator: \"" + op + "\"\nresolver: MEMORY\nauthorization { users: [{user: a, password: b}] }\n",
                "operators do not allow users to be configured directly");
        sameAtStart("accounts", "operator: \"" + op + "\"\nresolver: MEMORY\naccounts { A: {} }\n",
                "operators do not allow Accounts to be configured directly");
        sameAtStart("fullnosys", "operator: \"" + op + "\"\nresolver: {type: full, dir: \"" + dir.resolve("f4") + "\"}\n",
                "using nats based account resolver - the system account needs to be specified in configuration or "
                        + "the operator jwt");
        sameAtStart("sysmissing", "operator: \"" + op + "\"\nsystem_account: " + sys.publicKey() + "\nresolver: MEMORY\n",
                "error resolving system account: account missing");
        sameAtStart("noserver", "operator: \"" + op + "\"\n",
                "could not fetch <\"/accounts/\">: Get \"/accounts/\": unsupported protocol scheme \"\"");
        sameAtStart("refused", "operator: \"" + op + "\"\nresolver: URL(http://127.0.0.1:1/jwt/v1/accounts/)\n",
                "could not fetch <\"http://127.0.0.1:1/jwt/v1/accounts/\">: Get \"http://127.0.0.1:1/jwt/v1/accounts/\": "
                        + "dial tcp 127.0.0.1:1: connect: connection refused");
    }
}
