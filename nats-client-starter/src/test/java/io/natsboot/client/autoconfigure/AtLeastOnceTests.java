package io.natsboot.client.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.Nats;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.natsboot.spring.annotation.JetStreamListener;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * At-least-once: the listener's JVM is killed ({@code kill -9}) in the middle of a batch; the batch it did not
 * finish is delivered again to the next listener on the same durable consumer, and every message is handled.
 */
class AtLeastOnceTests {

    static class Survivor {
        final List<String> received = new CopyOnWriteArrayList<>();
        final Set<String> redelivered = ConcurrentHashMap.newKeySet();

        @JetStreamListener(stream = "WORK", consumer = "workers", batch = true)
        void work(List<io.nats.client.Message> jobs) {
            for (io.nats.client.Message m : jobs) {
                String id = new String(m.getData(), StandardCharsets.UTF_8);
                received.add(id);
                if (m.metaData().deliveredCount() > 1) {
                    redelivered.add(id);
                }
            }
        }
    }

    @Test
    void aListenerKilledMidBatchLosesNothing() throws Exception {
        try (ReferenceNatsServer server = ReferenceNatsServer.startJetStream();
                Connection nc = Nats.connect(server.url())) {
            nc.jetStreamManagement().addStream(StreamConfiguration.builder().name("WORK").subjects("work")
                    .storageType(StorageType.File).build());
            JetStream js = nc.jetStream();
            List<String> all = IntStream.range(0, 100).mapToObj(i -> "m" + i).toList();
            for (String id : all) {
                js.publish("work", id.getBytes(StandardCharsets.UTF_8));
            }

            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), AtLeastOnceChild.class.getName(), server.url())
                    .redirectErrorStream(true).start();
            Set<String> doneByChild = new HashSet<>();
            List<String> stuck;
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                List<String> stuckBatch = null;
                StringBuilder seen = new StringBuilder();
                while ((line = out.readLine()) != null) {
                    seen.append(line).append('\n');
                    if (line.startsWith("DONE ")) {
                        doneByChild.addAll(Arrays.asList(line.substring(5).split(",")));
                    } else if (line.startsWith("STUCK ")) {
                        stuckBatch = Arrays.asList(line.substring(6).split(","));
                        break;
                    }
                }
                assertThat(stuckBatch).as("child output:\n%s", seen).isNotNull();
                stuck = stuckBatch;
                child.destroyForcibly(); // SIGKILL: no shutdown hook, no ack, no nak
                child.waitFor();
            } finally {
                child.destroyForcibly();
            }
            assertThat(stuck).contains("m50").doesNotContainAnyElementsOf(doneByChild);
            assertThat(doneByChild).hasSizeGreaterThanOrEqualTo(50);

            ApplicationContextRunner runner = new ApplicationContextRunner()
                    .withConfiguration(AutoConfigurations.of(NatsClientAutoConfiguration.class,
                            NatsJetStreamAutoConfiguration.class))
                    .withPropertyValues(server.serversProperty())
                    .withBean(Survivor.class);
            runner.run(ctx -> {
                Survivor survivor = ctx.getBean(Survivor.class);
                // the child's unfinished batch comes back after the consumer's 2 s ack wait
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                    Set<String> handled = new HashSet<>(doneByChild);
                    handled.addAll(survivor.received);
                    assertThat(handled).containsExactlyInAnyOrderElementsOf(all);
                });
                assertThat(survivor.redelivered).containsAll(stuck);
                assertThat(survivor.received).containsAll(stuck);
                Set<String> notByChild = all.stream().filter(id -> !doneByChild.contains(id)).collect(Collectors.toSet());
                assertThat(survivor.received).containsAll(notByChild);
            });
        }
    }
}
