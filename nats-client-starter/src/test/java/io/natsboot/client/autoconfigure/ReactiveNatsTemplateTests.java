package io.natsboot.client.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nats.client.Connection;
import io.nats.client.Message;
import io.natsboot.spring.core.NatsNoRespondersException;
import io.natsboot.spring.core.NatsTemplate;
import io.natsboot.spring.core.ReactiveNatsTemplate;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class ReactiveNatsTemplateTests {

    @RegisterExtension
    static final TestNatsServer server = new TestNatsServer();

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(NatsClientAutoConfiguration.class))
            .withPropertyValues(server.serversProperty());

    @Test
    void onlyWithReactor() {
        runner.run(ctx -> assertThat(ctx).hasSingleBean(ReactiveNatsTemplate.class));
        runner.withClassLoader(new FilteredClassLoader("reactor.core"))
                .run(ctx -> assertThat(ctx).doesNotHaveBean(ReactiveNatsTemplate.class).hasSingleBean(NatsTemplate.class));
    }

    @Test
    void requestAndNoResponders() {
        runner.run(ctx -> {
            ReactiveNatsTemplate rt = ctx.getBean(ReactiveNatsTemplate.class);
            Connection nc = ctx.getBean(Connection.class);
            nc.createDispatcher(m -> nc.publish(m.getReplyTo(), ("re:" + new String(m.getData())).getBytes()))
                    .subscribe("rx.echo");
            nc.flush(Duration.ofSeconds(2));
            assertThat(rt.request("rx.echo", "x", String.class).block(Duration.ofSeconds(5))).isEqualTo("re:x");
            assertThatThrownBy(() -> rt.request("rx.none", "x").block(Duration.ofSeconds(5)))
                    .isInstanceOf(NatsNoRespondersException.class);
        });
    }

    @Test
    void requestManyGathersUntilCountOrTime() {
        runner.run(ctx -> {
            ReactiveNatsTemplate rt = ctx.getBean(ReactiveNatsTemplate.class);
            Connection nc = ctx.getBean(Connection.class);
            for (int i = 0; i < 3; i++) {
                String id = "node" + i;
                nc.createDispatcher(m -> nc.publish(m.getReplyTo(), id.getBytes())).subscribe("rx.discover");
            }
            nc.flush(Duration.ofSeconds(2));
            List<Message> all = rt.requestMany("rx.discover", "who", Duration.ofMillis(500), 0)
                    .collectList().block(Duration.ofSeconds(5));
            assertThat(all).extracting(m -> new String(m.getData(), StandardCharsets.UTF_8))
                    .containsExactlyInAnyOrder("node0", "node1", "node2");
            long start = System.nanoTime();
            List<Message> two = rt.requestMany("rx.discover", "who", Duration.ofSeconds(10), 2)
                    .collectList().block(Duration.ofSeconds(5));
            assertThat(two).hasSize(2);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        });
    }

    @Test
    void subscribeWithQueueAndDropPolicy() {
        runner.withPropertyValues("natsboot.client.reactive.buffer-size=4").run(ctx -> {
            ReactiveNatsTemplate rt = ctx.getBean(ReactiveNatsTemplate.class);
            NatsTemplate t = ctx.getBean(NatsTemplate.class);
            var received = rt.subscribe("rx.sub", "q").take(3).collectList().toFuture();
            Thread.sleep(200);
            t.flush(Duration.ofSeconds(2));
            for (int i = 0; i < 3; i++) {
                t.publish("rx.sub", "m" + i);
            }
            assertThat(received.get().stream().map(m -> new String(m.getData()))).containsExactly("m0", "m1", "m2");

            // A subscriber that requests nothing: the buffer fills, the rest is dropped and counted.
            var d = new reactor.core.publisher.BaseSubscriber<Message>() {
                @Override
                protected void hookOnSubscribe(org.reactivestreams.Subscription s) {
                    // request nothing
                }
            };
            rt.subscribe("rx.slow").subscribe(d);
            Thread.sleep(200);
            for (int i = 0; i < 20; i++) {
                t.publish("rx.slow", "s" + i);
            }
            t.flush(Duration.ofSeconds(2));
            Thread.sleep(300);
            assertThat(rt.getDroppedCount()).isGreaterThanOrEqualTo(10);
            d.dispose();
        });
    }
}
