package io.natsboot.server.jetstream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.nats.client.Connection;
import io.natsboot.server.support.RequiresBinary;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A JetStream domain on one server, side by side with nats-server 2.9.10: {@code $JS.<domain>.API} reaches the
 * account's JetStream (INFO, stream create and info, the KV shortcut), other domains get nothing, and a configuration
 * reload keeps the domain's mappings.
 */
@RequiresBinary("nats-server")
class JetStreamDomainDifferentialTest {
    private static final String CONF = """
            jetstream { store_dir: "{STORE}", domain: edge }
            accounts {
              A: { jetstream: enabled, users: [ { user: a, password: a } ] }
            }
            """;

    @TempDir
    Path tmp;

    private static void same(Connection[] both, String subject, String body) throws Exception {
        List<String> r = ConfPair.request(both, subject, body, Duration.ofSeconds(1));
        assertEquals(r.get(0), r.get(1), subject + ": nats-server, then ours");
    }

    @Test
    void theDomainsApiAnswersAsNatsServerAndSurvivesAReload() throws Exception {
        try (ConfPair p = new ConfPair(tmp, CONF)) {
            Connection[] a = p.connect("a", "a");
            same(a, "$JS.edge.API.INFO", "");
            same(a, "$JS.edge.API.STREAM.CREATE.KV_b", "{\"name\":\"KV_b\",\"subjects\":[\"$KV.b.>\"],"
                    + "\"storage\":\"memory\",\"max_msgs_per_subject\":1,\"allow_direct\":true}");
            same(a, "$JS.edge.API.$KV.b.k", "v");
            same(a, "$JS.edge.API.STREAM.INFO.KV_b", "");
            same(a, "$JS.edge.API.DIRECT.GET.KV_b", "{\"last_by_subj\":\"$KV.b.k\"}");
            same(a, "$JS.other.API.INFO", "");
            p.reload(CONF.replace("domain: edge }", "domain: edge }\ndebug: false"));
            same(a, "$JS.edge.API.INFO", "");
            same(a, "$JS.edge.API.STREAM.NAMES", "");
        }
    }
}
