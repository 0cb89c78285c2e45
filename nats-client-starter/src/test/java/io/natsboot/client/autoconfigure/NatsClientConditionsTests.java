package io.natsboot.client.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.natsboot.spring.annotation.EnableNats;
import io.natsboot.spring.annotation.NatsBootstrapConfiguration;
import io.natsboot.spring.annotation.NatsListenerAnnotationBeanPostProcessor;
import io.natsboot.spring.core.NatsConnectionEventPublisher;
import io.natsboot.spring.core.NatsMessageConverter;
import io.natsboot.spring.core.NatsTemplate;
import io.natsboot.spring.core.SimpleNatsMessageConverter;
import io.natsboot.spring.listener.NatsListenerContainerFactory;
import io.natsboot.spring.listener.NatsListenerEndpointRegistry;
import io.natsboot.spring.listener.NatsListenerErrorHandler;
import io.natsboot.spring.service.NatsServiceRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

/** The starter's conditions around nats-spring, each both ways. */
class NatsClientConditionsTests {

    @RegisterExtension
    static final TestNatsServer server = new TestNatsServer();

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(NatsClientAutoConfiguration.class))
            .withPropertyValues(server.serversProperty());

    @Configuration(proxyBeanMethods = false)
    @EnableNats
    static class UserEnablesNats {
    }

    @Test
    void enablesNatsItselfOrLeavesItToTheApplication() {
        runner.run(ctx -> {
            assertThat(ctx).hasSingleBean(NatsListenerAnnotationBeanPostProcessor.class)
                    .hasSingleBean(NatsListenerEndpointRegistry.class).hasSingleBean(NatsServiceRegistry.class)
                    .hasBean(NatsBootstrapConfiguration.LISTENER_PROCESSOR_BEAN_NAME);
        });
        runner.withUserConfiguration(UserEnablesNats.class).run(ctx -> {
            assertThat(ctx).hasNotFailed().hasSingleBean(NatsListenerAnnotationBeanPostProcessor.class)
                    .hasSingleBean(NatsListenerEndpointRegistry.class);
            assertThat(ctx.getBean(NatsListenerContainerFactory.class).getDrainTimeout())
                    .as("the starter's factory, from the properties").isEqualTo(Duration.ofSeconds(10));
        });
    }

    @Test
    void containerFactoryFromPropertiesUnlessTheApplicationNamesItsOwn() {
        runner.withPropertyValues("natsboot.client.drain-timeout=3s").run(ctx ->
                assertThat(ctx.getBean(NatsListenerContainerFactory.DEFAULT_BEAN_NAME, NatsListenerContainerFactory.class)
                        .getDrainTimeout()).isEqualTo(Duration.ofSeconds(3)));
        runner.withBean(NatsListenerContainerFactory.DEFAULT_BEAN_NAME, NatsListenerContainerFactory.class,
                () -> new NatsListenerContainerFactory(null, new SimpleNatsMessageConverter()))
                .run(ctx -> assertThat(ctx.getBean(NatsListenerContainerFactory.class).getConverter())
                        .isExactlyInstanceOf(SimpleNatsMessageConverter.class));
    }

    @Test
    void errorHandlerConverterTemplateAndEventPublisherBackOff() {
        NatsListenerErrorHandler handler = (m, e, c) -> { };
        NatsMessageConverter converter = new SimpleNatsMessageConverter();
        runner.run(ctx -> assertThat(ctx).hasSingleBean(NatsListenerErrorHandler.class)
                .hasSingleBean(NatsMessageConverter.class).hasSingleBean(NatsTemplate.class)
                .hasSingleBean(NatsConnectionEventPublisher.class));
        runner.withBean(NatsListenerErrorHandler.class, () -> handler)
                .withBean(NatsMessageConverter.class, () -> converter)
                .run(ctx -> {
                    assertThat(ctx.getBean(NatsListenerErrorHandler.class)).isSameAs(handler);
                    assertThat(ctx.getBean(NatsMessageConverter.class)).isSameAs(converter);
                    assertThat(ctx.getBean(NatsListenerContainerFactory.class).getErrorHandler()).isSameAs(handler);
                    assertThat(ctx.getBean(NatsTemplate.class).getConverter()).isSameAs(converter);
                });
    }
}
