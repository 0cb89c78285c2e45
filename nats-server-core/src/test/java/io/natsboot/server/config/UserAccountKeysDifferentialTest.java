package io.natsboot.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The keys inside users, accounts, authorization and exports, checked with {@code -t} against the Debian
 * nats-server 2.9.10 and ours: the same exit code and the same text (message and position), accepted or not.
 */
class UserAccountKeysDifferentialTest {
    private static final Path NATS_SERVER = Path.of("/usr/sbin/nats-server");

    /** An account public key (jnats' test key). */
    static final String ACCOUNT_KEY = "ABJHLOVMPA4CI6R5KLNGOB4GSLNIY7IOUPAJC4YFNDLQVIOBYQGUWVLA";

    static List<String> configs() {
        List<String> c = new ArrayList<>();
        // users: unknown fields, account (not a users key), connection types
        c.add("authorization { users: [{user: a, password: b, foo: 1}] }");
        c.add("accounts { A: { users: [{user: a, password: b, foo: 1, bar: 2}] } }");
        c.add("authorization { users: [{user: a, password: b, account: X}] }");
        c.add("authorization { users: [{user: a, password: b, allowed_connection_types: [\"FOO\"]}] }");
        c.add("authorization { users: [{user: a, password: b, clients: [\"STANDARD\", \"foo\", \"BAR\"]}] }");
        c.add("authorization { users: [{user: a, password: b, allowed_connection_types: 1}] }");
        c.add("authorization { users: [{user: a, password: b, allowed_connection_types: [1, \"x\"]}] }");
        c.add("authorization { users: [{user: a, password: b, allowed_connection_types: \"websocket\"}] }");
        c.add("authorization { users: [{user: a, password: b, connection_types: [\"standard\", \"mqtt_ws\", "
                + "\"leafnode_ws\", \"LEAFNODE\", \"MQTT\", \"WEBSOCKET\"]}] }");
        c.add("authorization { users: [{user: a, password: b, allowed_connection_types: []}] }");
        c.add("accounts { A: { users: [{user: a, password: b, allowed_connection_types: [\"FOO\"]}] } }");
        c.add("authorization { users: [{user: a, password: b, permissions: {publish: foo, bar: 1}}] }");
        c.add("authorization { users: [{user: a, password: b, permissions: \"x\"}] }");
        c.add("authorization { permissions: {publish: foo, bar: 1} }");
        // accounts
        c.add("accounts { $G: {} }");
        c.add("accounts { $G: {users: [{user: a, password: b}]} }");
        c.add("accounts { A: { nkey: bad } }");
        c.add("accounts { A: { nkey: \"\" } }");
        for (String odd : List.of("1", "10", "65", "200", "39", "34", "true", "1.5")) {
            c.add("accounts { A: { nkey: " + odd + " } }"); // Go's %q of what is not a string
        }
        c.add("accounts { A: { nkey: UDXU4RCSJNZOIQHZNWXHXORDPRTGNJAHAHFRGZNEEJCPQTT2M7NLCNF4 } }");
        c.add("accounts { A: { nkey: " + ACCOUNT_KEY + " } }");
        c.add("accounts { A: { limits: {max_conn: 1, max_subs: 2, max_pay: 3, max_leafs: 4, foo: 5} } }");
        c.add("accounts { A: { limits: {max_connections: 1, max_subscriptions: 2, max_payload: 3, "
                + "max_leafnodes: 4} } }");
        c.add("accounts { A: { limits: {max_connections: x} } }");
        c.add("accounts { A: { limits: 1 } }");
        c.add("accounts { A: { default_permissions: {publish: foo, bar: 1} } }");
        c.add("accounts { A: { default_permissions: 1 } }");
        c.add("accounts { A: { default_permissions: {publish: [\"a\"], subscribe: {deny: \"b\"}} } }");
        // exports: response types and thresholds
        c.add("accounts { A: { exports: [{service: foo, response_type: bad}] } }");
        c.add("accounts { A: { exports: [{service: foo, response_type: 1}] } }");
        c.add("accounts { A: { exports: [{service: foo, response_type: Stream}] } }");
        c.add("accounts { A: { exports: [{service: foo, response: single}, {service: bar, response: chunk}, "
                + "{service: baz, response_time: \"2s\"}, {service: q, response_max_time: \"1s\"}] } }");
        c.add("accounts { A: { exports: [{service: foo, threshold: \"1s\", response: chunked}] } }");
        c.add("accounts { A: { exports: [{stream: foo, response_type: chunked}] } }");
        c.add("accounts { A: { exports: [{response_type: chunked, stream: foo}] } }");
        // Not compared: {stream: foo, threshold: "1s"}. nats-server 2.9.10 refuses it only when its map iteration
        // (random in Go) meets "stream" before "threshold"; it answered "valid" in one run of three here.
        c.add("accounts { A: { exports: [{service: foo, response_threshold: 1}] } }");
        c.add("accounts { A: { exports: [{service: foo, response_threshold: \"x\"}] } }");
        // the users/accounts/exports/imports/permissions shapes nats-server refuses, with its texts and places
        // (a duplicate across the authorization block and an account is left out: where nats-server reports it
        // depends on Go's map order, as does the place of "Nkey users do not take usernames or passwords")
        c.add("authorization { users: 1 }");
        c.add("authorization { users: [\"a\"] }");
        c.add("accounts { A: { users: 1 } }");
        c.add("accounts { A: [] }");
        c.add("accounts { A: 1 }");
        c.add("accounts: 1");
        c.add("accounts { A: { exports: 1 } }");
        c.add("accounts { A: { exports: [\"x\"] } }");
        c.add("accounts { A: { exports: [{foo: bar}] } }");
        c.add("accounts { A: { exports: [{service: foo, accounts: 1}] } }");
        c.add("accounts { A: { imports: 1 } }");
        c.add("accounts { A: { imports: [{service: {account: B, subject: x}, foo: 1}] } }");
        c.add("accounts { A: { imports: [{stream: {account: B, subject: x, foo: 1}}] } }");
        c.add("accounts { A: { imports: [{stream: {account: B}}] } }");
        c.add("accounts { A: { imports: [{service: {subject: x}}] } }");
        c.add("accounts { A: { imports: [{foo: 1}] } }");
        c.add("accounts { A: { foo: 1 } }");
        c.add("accounts { A: { imports: [{service: {account: C, subject: x}}] } }");
        c.add("accounts { A: { imports: [{service: {account: B, subject: x}}] }, B: { exports: [{service: y}] } }");
        c.add("accounts { A: { imports: [{service: {account: B, subject: x}}] }, B: { exports: [{service: x, "
                + "accounts: [C]}] }, C: {} }");
        c.add("accounts { A: { imports: [{stream: {account: B, subject: \"x.>\"}}] }, B: { exports: "
                + "[{stream: \"x.y\"}] } }");
        c.add("accounts { A: { imports: [{stream: {account: B, subject: x}}, {service: {account: B, subject: y}}] }, "
                + "B: {} }");
        c.add("accounts { A: { imports: [{stream: {account: B, subject: \"x.y\"}, prefix: p}, {service: {account: B, "
                + "subject: s}, to: t}] }, B: { exports: [{stream: \"x.>\", accounts: [A]}, {service: \"s\"}] } }");
        c.add("authorization { users: [{user: a, password: b}, {user: a, password: c}] }");
        // Not compared: one user name in two accounts (which account nats-server reports depends on Go's map order).
        c.add("accounts { A: { users: [{user: a, password: b}, {user: a, password: c}] } }");
        c.add("authorization { users: [{user: a, password: b, permissions: {publish: {allow: 1}}}] }");
        c.add("authorization { users: [{user: a, password: b, permissions: {publish: {foo: 1}}}] }");
        c.add("authorization { users: [{user: a, password: b, permissions: {publish: \"a b c\"}}] }");
        c.add("authorization { users: [{user: a, password: b, permissions: {publish: [\"a\", \"b c d\"]}}] }");
        c.add("authorization { users: [{user: a, password: b, permissions: {subscribe: \"a q\"}}] }");
        c.add("authorization { users: [{user: a, password: b, permissions: {allow_responses: {foo: 1}}}] }");
        c.add("authorization { default_permissions: 1 }");
        c.add("accounts { A: { default_permissions: {publish: 1} } }");
        c.add("accounts { A: { default_permissions: {publish: {allow: 1}} } }");
        c.add("authorization { default_permissions: {publish: 1} }");
        c.add("accounts { A: { users: [{user: a, password: b, permissions: {subscribe: 1}}] } }");
        // Not compared: two bad limits at once. nats-server reports the first its map iteration (random in Go) meets.
        // nats-server's lexer: an integer right before ']' is a string ("1]"), so these are its parse errors;
        // and the end of the file inside an array, or right after a map value
        c.add("authorization { users: [{user: a, password: b, allowed_connection_types: [1]}] }");
        c.add("authorization { users: [{user: a, password: b, allowed_connection_types: [\"x\", 1]}] }");
        c.add("x: [1]");
        c.add("x: [1]]");
        c.add("x: [-1, 1k, 1.5]");
        c.add("x: [1]abc def");
        c.add("x: [1]\ny: 2");
        c.add("port: 1]");
        c.add("x: [a,");
        c.add("x: [\"a\"\n");
        c.add("x: {a: 1");
        c.add("x: {a: \"x\"");
        c.add("x: {a: 1\n");
        c.add("x: {a: 1 b: 2}");
        for (String end : List.of("x: {a", "x: {a:", "x: {a: ", "x: {a ", "x: {\"a\"", "x: [{a")) {
            c.add(end + "\u0000"); // written without the new line: see configs()'s caller
        }
        return c;
    }

    @Test
    void nestedKeysAreAnsweredAsNatsServer2910Answers(@TempDir Path dir) throws Exception {
        assertThat(Files.isExecutable(NATS_SERVER))
                .as("needs the reference nats-server 2.9.10 at %s (Debian package nats-server)", NATS_SERVER).isTrue();
        List<String> problems = new ArrayList<>();
        int i = 0;
        for (String conf : configs()) {
            Path file = dir.resolve("k" + (i++) + ".conf");
            Files.writeString(file, conf.endsWith("\u0000") ? conf.substring(0, conf.length() - 1) : conf + "\n");
            Result go = binary(file);
            Result ours = ours(file);
            // Several errors come in Go's map order, random from run to run: compared as a set of lines.
            if (go.exit != ours.exit || !lines(go.text).equals(lines(ours.text))) {
                problems.add(conf + "\n  nats-server [" + go + "]\n  ours        [" + ours + "]");
            }
        }
        assertThat(problems).isEmpty();
    }

    private static java.util.Set<String> lines(String text) {
        java.util.Set<String> out = new java.util.TreeSet<>();
        for (String line : text.strip().split("\n")) {
            out.add(line.startsWith("nats-server: ") ? line.substring("nats-server: ".length()) : line);
        }
        return out;
    }

    record Result(int exit, String text) {
        @Override
        public String toString() {
            return exit + ": " + text.strip();
        }
    }

    private static Result binary(Path conf) throws Exception {
        Process p = new ProcessBuilder(NATS_SERVER.toString(), "-t", "-c", conf.toString()).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), text);
    }

    private static Result ours(Path conf) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = io.natsboot.server.NatsServerMainAccess.run(new String[] {"-t", "-c", conf.toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(exit, out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8));
    }
}
