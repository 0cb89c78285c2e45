package io.natsboot.server.jetstream;

import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.PushSubscribeOptions;
import io.nats.client.api.PublishAck;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.natsboot.server.NatsServerMain;
import io.natsboot.server.support.Ports;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * kill -9 of our server (a child JVM) while a client publishes to a file stream with many PubAcks outstanding,
 * in a loop: after every restart each message whose PubAck the client got is in the stream, with its bytes.
 * The file store writes a read's records with one system call before their PubAcks are queued
 * (Stream.HeldAcks); this is the end-to-end check that no PubAck overtakes its write.
 */
class JetStreamKill9Test {
    @TempDir
    Path dir;

    private static byte[] payload(long n) {
        return ("kill9-" + n + "-" + "q".repeat((int) (n % 113))).getBytes(StandardCharsets.UTF_8);
    }

    private static Process start(Path store, int port) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                NatsServerMain.class.getName(), "-a", "127.0.0.1", "-p", Integer.toString(port), "-js", "-sd",
                store.toString()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        Ports.awaitListening(port);
        return p;
    }

    private static Connection connect(int port) throws Exception {
        return Nats.connect(new Options.Builder().server("nats://127.0.0.1:" + port)
                .connectionTimeout(Duration.ofSeconds(10)).noReconnect().build());
    }

    @Test
    void everyAcknowledgedPublishSurvivesKill9() throws Exception {
        Path store = dir.resolve("store");
        // stream sequence -> the publish number whose bytes it holds
        ConcurrentHashMap<Long, Long> acked = new ConcurrentHashMap<>();
        long published = 0;
        for (int round = 0; round < 4; round++) {
            int port = Ports.free();
            Process server = start(store, port);
            try {
                try (Connection nc = connect(port)) {
                    if (round == 0) {
                        nc.jetStreamManagement().addStream(StreamConfiguration.builder().name("K9")
                                .subjects("k9.>").storageType(StorageType.File).build());
                    }
                    JetStream js = nc.jetStream();
                    int before = acked.size();
                    int target = 2000 + 1000 * round;
                    List<CompletableFuture<PublishAck>> inFlight = new ArrayList<>();
                    while (acked.size() < before + target) {
                        long n = ++published;
                        CompletableFuture<PublishAck> f = js.publishAsync("k9." + (n % 7), payload(n));
                        f.thenAccept(a -> acked.put(a.getSeqno(), n));
                        inFlight.add(f);
                        if (inFlight.size() >= 500) {
                            inFlight.remove(0).get(10, TimeUnit.SECONDS);
                        }
                    }
                    // Kill with publishes still in flight.
                    server.destroyForcibly();
                    server.waitFor(10, TimeUnit.SECONDS);
                }
            } finally {
                server.destroyForcibly();
            }
            Set<Long> ackedNow = Set.copyOf(acked.keySet());
            port = Ports.free();
            server = start(store, port);
            try (Connection nc = connect(port)) {
                JetStreamManagement jsm = nc.jetStreamManagement();
                long last = jsm.getStreamInfo("K9").getStreamState().getLastSequence();
                assertThat(last).as("round %d last sequence", round)
                        .isGreaterThanOrEqualTo(ackedNow.stream().mapToLong(Long::longValue).max().orElse(0));
                // Everything stored, read back with an ordered consumer.
                java.util.Map<Long, Message> stored = new java.util.HashMap<>();
                JetStreamSubscription sub = nc.jetStream().subscribe("k9.>",
                        PushSubscribeOptions.builder().ordered(true).build());
                long count = jsm.getStreamInfo("K9").getStreamState().getMsgCount();
                while (stored.size() < count) {
                    Message m = sub.nextMessage(Duration.ofSeconds(10));
                    assertThat(m).as("round %d: message %d of the stream", round, stored.size() + 1).isNotNull();
                    stored.put(m.metaData().streamSequence(), m);
                }
                sub.unsubscribe();
                for (long seq : ackedNow) {
                    Message m = stored.get(seq);
                    long n = acked.get(seq);
                    assertThat(m).as("round %d acknowledged seq %d", round, seq).isNotNull();
                    assertThat(m.getData()).as("round %d seq %d", round, seq).isEqualTo(payload(n));
                    assertThat(m.getSubject()).isEqualTo("k9." + (n % 7));
                }
            } finally {
                server.destroyForcibly();
                server.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
