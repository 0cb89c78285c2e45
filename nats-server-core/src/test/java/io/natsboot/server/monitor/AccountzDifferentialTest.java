package io.natsboot.server.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.server.config.ConfigFileOptions;
import io.natsboot.server.protocol.Json;
import io.natsboot.server.support.Ports;
import io.natsboot.server.support.RequiredBinaries;
import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.RunningServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /accountz?acc=X} against nats-server 2.9.10 with the same file: the same keys, mappings (as arranged for
 * picking: the source added for the rest, weights cumulative, cluster-scoped ones after), exports and imports
 * (streams with their local subject, services with {@code to}, the system imports, the system account's exports).
 * nats-server lists exports and service imports in Go's map order (random): they are compared as sets.
 */
@RequiresBinary("nats-server")
class AccountzDifferentialTest {
    private static final String CONF = """
            accounts {
              A {
                users: [{user: a, password: a}]
                exports: [{stream: "ev.>"}, {service: "help.>", accounts: [B]}, {service: "chunk.>", response_type: chunked},
                    {service: "str.>", response: stream}]
                mappings {
                  "in.*": "out.$1"
                  w: [{destination: w.a, weight: 40%}, {destination: w.b, weight: 60%, cluster: c1}]
                  "d.*": [{destination: "d.$1", weight: 50%}]
                }
              }
              B {
                users: [{user: b, password: b}]
                imports: [
                  {stream: {account: A, subject: "ev.>"}, prefix: from_a}
                  {service: {account: A, subject: "help.me"}, to: "ask"}
                  {service: {account: A, subject: "help.you"}}
                ]
              }
            }
            mappings { "g.*": "h.$1" }
            """;

    @Test
    void accountDetailsAsNatsServer(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("acc.conf");
        Files.writeString(conf, CONF);
        int port = Ports.free();
        int http = Ports.free();
        Process ref = new ProcessBuilder(RequiredBinaries.path("nats-server").toString(), "-c", conf.toString(), "-a",
                "127.0.0.1", "-p", Integer.toString(port), "-m", Integer.toString(http)).redirectErrorStream(true)
                .redirectOutput(dir.resolve("ref.log").toFile()).start();
        int ourHttp = Ports.free();
        List<String> problems = new ArrayList<>();
        try (RunningServer ours = RunningServer.start(b -> {
            try {
                assertThat(ConfigFileOptions.load(conf.toString(), b).errors()).isEmpty();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return b.httpHost("127.0.0.1").httpPort(ourHttp);
        })) {
            Ports.awaitListening(port);
            for (String acc : List.of("A", "B", "$G", "$SYS")) {
                Map<String, Object> theirs = detail(http, acc);
                Map<String, Object> mine = detail(ourHttp, acc);
                for (String volatileKey : List.of("update_time", "sublist_stats", "subscriptions")) {
                    theirs.remove(volatileKey);
                    mine.remove(volatileKey);
                }
                normalize(theirs);
                normalize(mine);
                if (!theirs.equals(mine)) {
                    problems.add(acc + "\n  nats-server: " + theirs + "\n  ours:        " + mine);
                }
            }
        } finally {
            ref.destroy();
            ref.waitFor(5, TimeUnit.SECONDS);
        }
        assertThat(problems).isEmpty();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> detail(int httpPort, String acc) throws Exception {
        String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort
                + "/accountz?acc=" + acc.replace("$", "%24"))).build(), HttpResponse.BodyHandlers.ofString()).body();
        return (Map<String, Object>) Json.parseObject(body).get("account_detail");
    }

    /** Exports and imports as sorted lists of their text (nats-server's order is Go's map order). */
    private static void normalize(Map<String, Object> detail) {
        for (String k : List.of("exports", "imports")) {
            Object v = detail.get(k);
            if (v instanceof List<?> list) {
                detail.put(k, list.stream().map(String::valueOf).sorted().toList());
            }
        }
    }
}
