package io.natsboot.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.NatsServerRunner;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Subscription;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * bin/nats-server as Java projects' tests start nats-server: through {@code io.nats:jnats-server-runner} with
 * its default settings (its own port and config file, its readiness check of a few INFO reads within about
 * 0.4 s), only the executable path set. Each start must pass the runner's check and then serve: connect,
 * publish/subscribe, request/reply, and stop on the runner's close. benchmarks/runner-starts.sh does the same
 * 100 times on a loaded machine and counts failures.
 */
class JnatsServerRunnerIT {

    static Path script() {
        Path p = Path.of("../bin/nats-server");
        return Files.exists(p) ? p.toAbsolutePath().normalize() : Path.of("bin/nats-server").toAbsolutePath();
    }

    @Test
    void startsThroughTheRunnerAndServes() throws Exception {
        for (int round = 0; round < 3; round++) {
            NatsServerRunner started;
            try {
                started = NatsServerRunner.builder().executablePath(script()).build();
            } catch (Exception e) {
                // The runner leaves the process running when its readiness check fails; our only child processes
                // are the servers it spawned.
                ProcessHandle.current().children().forEach(p -> {
                    p.destroy();
                    p.onExit().orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).exceptionally(t -> {
                        p.destroyForcibly();
                        return p;
                    }).join();
                });
                throw e;
            }
            try (NatsServerRunner runner = started) {
                assertThat(runner.getExecutablePath()).isEqualTo(script().toString());
                try (Connection nc = Nats.connect(runner.getURI())) {
                    assertThat(nc.getServerInfo().getVersion()).isEqualTo("2.9.10");

                    Subscription sub = nc.subscribe("runner.events");
                    Dispatcher service = nc.createDispatcher(m ->
                            nc.publish(m.getReplyTo(), ("echo " + new String(m.getData(), StandardCharsets.UTF_8))
                                    .getBytes(StandardCharsets.UTF_8)));
                    service.subscribe("runner.echo");
                    nc.flush(Duration.ofSeconds(5));

                    nc.publish("runner.events", ("round " + round).getBytes(StandardCharsets.UTF_8));
                    Message event = sub.nextMessage(Duration.ofSeconds(5));
                    assertThat(event).isNotNull();
                    assertThat(new String(event.getData(), StandardCharsets.UTF_8)).isEqualTo("round " + round);

                    Message reply = nc.request("runner.echo", "hi".getBytes(StandardCharsets.UTF_8),
                            Duration.ofSeconds(5));
                    assertThat(new String(reply.getData(), StandardCharsets.UTF_8)).isEqualTo("echo hi");
                }
            }
        }
    }
}
