package io.natsboot.client.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.natsboot.spring.core.NatsConnectionEvent;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.event.EventListener;

/**
 * Connection events reach {@code @EventListener} methods, the first CONNECTED included: jnats reports it while
 * beans are still being created, so it is held until the context is refreshed.
 */
@ExtendWith(OutputCaptureExtension.class)
class NatsConnectionEventTests {

    @RegisterExtension
    static final TestNatsServer server = new TestNatsServer();

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(NatsClientAutoConfiguration.class))
            .withPropertyValues(server.serversProperty());

    static class Listener {
        final List<NatsConnectionEvent> events = new CopyOnWriteArrayList<>();
        final List<Thread> threads = new CopyOnWriteArrayList<>();

        @EventListener
        void on(NatsConnectionEvent event) {
            events.add(event);
            threads.add(Thread.currentThread());
        }
    }

    @Test
    void theFirstConnectedReachesEventListenersAfterRefresh(CapturedOutput output) {
        Listener listener = new Listener();
        Thread main = Thread.currentThread();
        runner.withBean(Listener.class, () -> listener).run(ctx -> {
            assertThat(ctx).hasNotFailed();
            // published when the context was refreshed, on the refreshing thread, before run() gets the context
            assertThat(listener.events).extracting(NatsConnectionEvent::getType)
                    .containsExactly(NatsConnectionEvent.Type.CONNECTED);
            assertThat(listener.threads).containsExactly(main);
            assertThat(listener.events.get(0).getConnection()).isSameAs(ctx.getBean(Connection.class));
        });
        assertThat(listener.events).extracting(NatsConnectionEvent::getType)
                .startsWith(NatsConnectionEvent.Type.CONNECTED);
        assertThat(output).doesNotContain("singleton lock").doesNotContain("CLOSED: null");
    }

    @Test
    void eventsAfterRefreshArePublishedAsTheyCome() {
        Listener listener = new Listener();
        runner.withBean(Listener.class, () -> listener).run(ctx -> {
            Connection nc = ctx.getBean(Connection.class);
            nc.close();
            org.awaitility.Awaitility.await().untilAsserted(() -> assertThat(listener.events)
                    .extracting(NatsConnectionEvent::getType)
                    .containsSubsequence(NatsConnectionEvent.Type.CONNECTED, NatsConnectionEvent.Type.CLOSED));
        });
    }
}
