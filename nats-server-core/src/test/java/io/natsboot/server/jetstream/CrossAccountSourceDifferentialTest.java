package io.natsboot.server.jetstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.External;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.Mirror;
import io.nats.client.api.MirrorInfo;
import io.nats.client.api.Source;
import io.nats.client.api.SourceInfo;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.natsboot.server.support.RequiresBinary;
import io.natsboot.server.support.Waits;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sources and mirrors from another account, as nats-server 2.9.10 documents them: the origin account exports the
 * consumer-create API of its stream, flow control ({@code $JS.FC.>}) and the delivery subjects; the other account
 * imports them (the API under a prefix of its own) and names both prefixes in {@code external}. The same
 * configuration and steps on the reference nats-server and on ours, with the same results.
 */
@RequiresBinary("nats-server")
class CrossAccountSourceDifferentialTest {
    private static final String CONF = """
            jetstream { store_dir: "{STORE}" }
            accounts {
              A: {
                jetstream: enabled
                users: [ { user: a, password: a } ]
                exports: [
                  { service: "$JS.API.CONSUMER.CREATE.ORIG" }
                  { service: "$JS.API.CONSUMER.CREATE.ORIG.>" }
                  { service: "$JS.FC.>" }
                  { stream: "deliver.b.>" }
                ]
              }
              B: {
                jetstream: enabled
                users: [ { user: b, password: b } ]
                imports: [
                  { service: { account: A, subject: "$JS.API.CONSUMER.CREATE.ORIG" }, to: "$JS.a.API.CONSUMER.CREATE.ORIG" }
                  { service: { account: A, subject: "$JS.API.CONSUMER.CREATE.ORIG.>" }, to: "$JS.a.API.CONSUMER.CREATE.ORIG.>" }
                  { service: { account: A, subject: "$JS.FC.>" } }
                  { stream: { account: A, subject: "deliver.b.>" } }
                ]
              }
            }
            """;

    @TempDir
    Path tmp;

    @Test
    void aSourceAndAMirrorOfAnotherAccountsStream() throws Exception {
        try (ConfPair p = new ConfPair(tmp, CONF)) {
            Connection[] a = p.connect("a", "a");
            Connection[] b = p.connect("b", "b");
            for (int side = 0; side < 2; side++) {
                String which = side == 0 ? "nats-server" : "ours";
                JetStreamManagement origin = a[side].jetStreamManagement();
                origin.addStream(StreamConfiguration.builder().name("ORIG").subjects("orig.>")
                        .storageType(StorageType.Memory).build());
                for (int i = 1; i <= 3; i++) {
                    a[side].jetStream().publish("orig." + i, ("m" + i).getBytes(StandardCharsets.UTF_8));
                }
                External ext = External.builder().api("$JS.a.API").deliver("deliver.b").build();
                JetStreamManagement jsm = b[side].jetStreamManagement();
                jsm.addStream(StreamConfiguration.builder().name("SRC").subjects("src.>")
                        .storageType(StorageType.Memory)
                        .sources(Source.builder().sourceName("ORIG").external(ext).filterSubject("orig.2").build())
                        .build());
                jsm.addStream(StreamConfiguration.builder().name("MIR").storageType(StorageType.Memory)
                        .mirror(Mirror.builder().sourceName("ORIG").external(ext).build()).build());
                Waits.upTo(which + ": the source and the mirror copied", Duration.ofSeconds(10))
                        .until(() -> jsm.getStreamInfo("SRC").getStreamState().getMsgCount() == 1
                                && jsm.getStreamInfo("MIR").getStreamState().getMsgCount() == 3);
                a[side].jetStream().publish("orig.4", "m4".getBytes(StandardCharsets.UTF_8));
                Waits.upTo(which + ": the mirror copied a new message", Duration.ofSeconds(10))
                        .until(() -> jsm.getStreamInfo("MIR").getStreamState().getLastSequence() == 4);
                MessageInfo s1 = jsm.getMessage("SRC", 1);
                assertEquals("orig.2", s1.getSubject(), which);
                assertEquals("ORIG:" + io.natsboot.server.jetstream.ExternalSource.hash("$JS.a.API") + " 2",
                        s1.getHeaders().getFirst("Nats-Stream-Source"), which);
                assertEquals("m3", new String(jsm.getMessage("MIR", 3).getData(), StandardCharsets.UTF_8), which);
                MirrorInfo mi = jsm.getStreamInfo("MIR").getMirrorInfo();
                assertEquals("deliver.b", mi.getExternal().getDeliver(), which);
                assertEquals(0, mi.getLag(), which);
                assertNull(mi.getError(), which);
                SourceInfo si = jsm.getStreamInfo("SRC").getSourceInfos().get(0);
                assertEquals("$JS.a.API", si.getExternal().getApi(), which);
            }
            // two sources of the same origin through the same API: nats-server keys them by origin and API (the
            // first listed is the one copied and shown)
            External ext = External.builder().api("$JS.a.API").deliver("deliver.b").build();
            for (int side = 0; side < 2; side++) {
                JetStreamManagement jsm = b[side].jetStreamManagement();
                jsm.addStream(StreamConfiguration.builder().name("DUP").subjects("dup.>")
                        .storageType(StorageType.Memory)
                        .sources(Source.builder().sourceName("ORIG").external(ext).filterSubject("orig.1").build(),
                                Source.builder().sourceName("ORIG").external(ext).filterSubject("orig.3").build())
                        .build());
            }
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).during(Duration.ofMillis(500))
                    .until(() -> b[0].jetStreamManagement().getStreamInfo("DUP").getStreamState().getMsgCount() == 1
                            && b[1].jetStreamManagement().getStreamInfo("DUP").getStreamState().getMsgCount() == 1);
            // the whole stream info of the mirror and the sources, field by field (times and activity masked)
            for (String stream : new String[] {"MIR", "SRC", "DUP"}) {
                List<String> info = ConfPair.request(b, "$JS.API.STREAM.INFO." + stream, "", Duration.ofSeconds(2));
                assertEquals(info.get(0), info.get(1), stream + " info: nats-server, then ours");
            }
        }
    }
}
