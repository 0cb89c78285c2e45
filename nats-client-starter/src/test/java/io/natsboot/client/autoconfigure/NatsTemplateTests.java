package io.natsboot.client.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.Subscription;
import io.nats.client.impl.Headers;
import io.natsboot.spring.core.JacksonNatsMessageConverter;
import io.natsboot.spring.core.NatsMessageConverter;
import io.natsboot.spring.core.NatsNoRespondersException;
import io.natsboot.spring.core.NatsRequestTimeoutException;
import io.natsboot.spring.core.NatsTemplate;
import io.natsboot.spring.core.SimpleNatsMessageConverter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class NatsTemplateTests {

    @RegisterExtension
    static final TestNatsServer server = new TestNatsServer();

    record Order(String id, int qty) { }

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(NatsClientAutoConfiguration.class))
            .withPropertyValues(server.serversProperty());

    @Test
    void jacksonConverterByDefaultAndSimpleWithoutJackson() {
        runner.run(ctx -> assertThat(ctx.getBean(NatsMessageConverter.class)).isInstanceOf(JacksonNatsMessageConverter.class));
        runner.withClassLoader(new FilteredClassLoader("tools.jackson")).run(ctx ->
                assertThat(ctx.getBean(NatsMessageConverter.class)).isExactlyInstanceOf(SimpleNatsMessageConverter.class));
        NatsMessageConverter mine = new SimpleNatsMessageConverter();
        runner.withBean(NatsMessageConverter.class, () -> mine).run(ctx -> {
            assertThat(ctx.getBean(NatsMessageConverter.class)).isSameAs(mine);
            assertThat(ctx.getBean(NatsTemplate.class).getConverter()).isSameAs(mine);
        });
        runner.withBean("myTemplate", NatsTemplate.class, () -> new NatsTemplate(null, mine, Duration.ofSeconds(1)))
                .run(ctx -> assertThat(ctx).hasSingleBean(NatsTemplate.class).hasBean("myTemplate"));
    }

    @Test
    void publishesStringsBytesAndJsonWithContentTypeAndHeaders() {
        runner.run(ctx -> {
            NatsTemplate t = ctx.getBean(NatsTemplate.class);
            Connection nc = ctx.getBean(Connection.class);
            Subscription sub = nc.subscribe("tpl.pub");
            nc.flush(Duration.ofSeconds(2));
            t.publish("tpl.pub", "hello");
            Headers h = new Headers().put("X-Trace", "abc");
            t.publish("tpl.pub", "reply.here", new Order("o1", 3), h);
            t.publish("tpl.pub", new byte[] {1, 2});
            t.flush(Duration.ofSeconds(2));

            Message m1 = sub.nextMessage(Duration.ofSeconds(2));
            assertThat(new String(m1.getData(), StandardCharsets.UTF_8)).isEqualTo("hello");
            assertThat(m1.getHeaders().getFirst(NatsMessageConverter.CONTENT_TYPE)).startsWith("text/plain");
            Message m2 = sub.nextMessage(Duration.ofSeconds(2));
            assertThat(m2.getReplyTo()).isEqualTo("reply.here");
            assertThat(m2.getHeaders().getFirst("X-Trace")).isEqualTo("abc");
            assertThat(m2.getHeaders().getFirst(NatsMessageConverter.CONTENT_TYPE)).isEqualTo("application/json");
            assertThat(t.getConverter().fromMessage(m2, Order.class)).isEqualTo(new Order("o1", 3));
            Message m3 = sub.nextMessage(Duration.ofSeconds(2));
            assertThat(m3.getData()).containsExactly(1, 2);
            assertThat(m3.hasHeaders()).isFalse();
        });
    }

    @Test
    void typedRequestReply() {
        runner.run(ctx -> {
            NatsTemplate t = ctx.getBean(NatsTemplate.class);
            Connection nc = ctx.getBean(Connection.class);
            Dispatcher d = nc.createDispatcher(m -> {
                Order o = t.getConverter().fromMessage(m, Order.class);
                t.publish(m.getReplyTo(), new Order(o.id(), o.qty() * 2));
            });
            d.subscribe("tpl.double");
            nc.flush(Duration.ofSeconds(2));
            assertThat(t.request("tpl.double", new Order("a", 21), Order.class)).isEqualTo(new Order("a", 42));
            Message raw = t.request("tpl.double", new Order("b", 1));
            assertThat(new String(raw.getData(), StandardCharsets.UTF_8)).contains("\"qty\":2");
        });
    }

    @Test
    void noRespondersIsItsOwnException() {
        runner.run(ctx -> {
            NatsTemplate t = ctx.getBean(NatsTemplate.class);
            assertThatThrownBy(() -> t.request("tpl.nobody", "ping"))
                    .isInstanceOf(NatsNoRespondersException.class).hasMessageContaining("tpl.nobody");
        });
    }

    @Test
    void silentResponderTimesOut() {
        runner.run(ctx -> {
            NatsTemplate t = ctx.getBean(NatsTemplate.class);
            Connection nc = ctx.getBean(Connection.class);
            Subscription silent = nc.subscribe("tpl.silent");
            nc.flush(Duration.ofSeconds(2));
            long start = System.nanoTime();
            assertThatThrownBy(() -> t.request("tpl.silent", "ping", null, Duration.ofMillis(300)))
                    .isInstanceOf(NatsRequestTimeoutException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
            // Its unread request would hold the shutdown drain for the whole drain timeout.
            silent.unsubscribe();
        });
    }
}
