package io.natsboot.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.TrustChain;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code default_js_domain} files checked by nats-server 2.9.10 and by us: {@code -t} (parsing only: a map of
 * strings) and at start (nats-server's validateJetStreamOptions, which {@code -t} does not run): same stderr, same
 * exit. The effect on leaf connections is {@code leaf/LeafDefaultJsDomainTest}'s.
 */
@RequiresBinary("nats-server")
class DefaultJsDomainDifferentialTest {
    @TempDir
    Path dir;

    private record Outcome(int exit, String stderr) {
    }

    private static Outcome reference(Path conf, String... extra) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("/usr/sbin/nats-server", "-c", conf.toString()));
        cmd.addAll(List.of(extra));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).as("nats-server exits").isTrue();
        return new Outcome(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private static Outcome ours(Path conf, String... extra) {
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
    void parsing() throws Exception {
        sameWithT("valid", "accounts { A {} }\ndefault_js_domain: { A: \"d\", \"$G\": \"\" }\n", "is valid");
        sameWithT("empty", "default_js_domain: {}\n", "is valid");
        // -t does not validate: an account that does not exist passes
        sameWithT("unchecked", "default_js_domain: { B: \"d\" }\n", "is valid");
        sameWithT("string", "default_js_domain: \"x\"\n", "error default_js_domain config: unsupported type string");
        sameWithT("number", "default_js_domain: { A: 1 }\n",
                "interface conversion: interface {} is int64, not string");
    }

    @Test
    void startUpChecks() throws Exception {
        sameAtStart("missing", "default_js_domain: { A: \"d\" }\n",
                "in non operator mode, `default_js_domain` references non existing account \"A\"");
        sameAtStart("sys", "default_js_domain: { \"$SYS\": \"d\" }\n",
                "in non operator mode, `default_js_domain` references non existing account \"$SYS\"");
        sameAtStart("badDomain", "accounts { A {} }\ndefault_js_domain: { A: \"d x\" }\n",
                "default_js_domain contains account \"A\" with invalid domain name \"d x\"");
        sameAtStart("withJetStream", "accounts { A { jetstream: enabled } }\ndefault_js_domain: { A: \"d\" }\n",
                "default_js_domain contains account name \"A\" with enabled JetStream");
        sameAtStart("systemAccount", "accounts { A {}, S {} }\nsystem_account: S\ndefault_js_domain: { S: \"d\" }\n",
                "system account \"S\" can not be in default_js_domain");
        TrustChain chain = TrustChain.create();
        Path op = dir.resolve("op.jwt");
        Files.writeString(op, chain.operatorJwt());
        sameAtStart("operatorNotAKey", "operator: \"" + op + "\"\nresolver: MEMORY\ndefault_js_domain: { A: \"d\" }\n",
                "default_js_domain contains account name \"A\", which is not a valid public account nkey");
    }
}
