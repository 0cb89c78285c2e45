package io.natsboot.spring.annotation;

import io.natsboot.spring.listener.NatsListenerEndpointRegistry;
import io.natsboot.spring.service.NatsServiceRegistry;
import org.springframework.beans.factory.config.AutowireCapableBeanFactory;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.core.type.AnnotationMetadata;

/**
 * What {@link EnableNats} registers: the annotation post-processors ({@link NatsListener}, {@link NatsService}, {@link JetStreamListener}, {@link NatsKvListener}) and the two registries, each under a
 * fixed name and only when that name is free (so several {@code @EnableNats}, or one next to Spring Boot's
 * auto-configuration, register them once).
 */
public class NatsBootstrapConfiguration implements ImportBeanDefinitionRegistrar {

    public static final String LISTENER_PROCESSOR_BEAN_NAME =
            "io.natsboot.spring.annotation.internalNatsListenerAnnotationProcessor";
    public static final String SERVICE_PROCESSOR_BEAN_NAME =
            "io.natsboot.spring.annotation.internalNatsServiceAnnotationProcessor";
    public static final String KV_LISTENER_PROCESSOR_BEAN_NAME =
            "io.natsboot.spring.annotation.internalNatsKvListenerAnnotationProcessor";
    public static final String JETSTREAM_LISTENER_PROCESSOR_BEAN_NAME =
            "io.natsboot.spring.annotation.internalJetStreamListenerAnnotationProcessor";

    @Override
    public void registerBeanDefinitions(AnnotationMetadata metadata, BeanDefinitionRegistry registry) {
        registerInfrastructure(registry, LISTENER_PROCESSOR_BEAN_NAME, NatsListenerAnnotationBeanPostProcessor.class);
        registerInfrastructure(registry, SERVICE_PROCESSOR_BEAN_NAME, NatsServiceAnnotationBeanPostProcessor.class);
        registerInfrastructure(registry, JETSTREAM_LISTENER_PROCESSOR_BEAN_NAME,
                JetStreamListenerAnnotationBeanPostProcessor.class);
        registerInfrastructure(registry, KV_LISTENER_PROCESSOR_BEAN_NAME, NatsKvListenerAnnotationBeanPostProcessor.class);
        if (!registry.containsBeanDefinition(NatsListenerEndpointRegistry.BEAN_NAME)) {
            registry.registerBeanDefinition(NatsListenerEndpointRegistry.BEAN_NAME,
                    new RootBeanDefinition(NatsListenerEndpointRegistry.class));
        }
        if (!registry.containsBeanDefinition(NatsServiceRegistry.BEAN_NAME)) {
            RootBeanDefinition services = new RootBeanDefinition(NatsServiceRegistry.class);
            services.setAutowireMode(AutowireCapableBeanFactory.AUTOWIRE_CONSTRUCTOR);
            registry.registerBeanDefinition(NatsServiceRegistry.BEAN_NAME, services);
        }
    }

    private static void registerInfrastructure(BeanDefinitionRegistry registry, String name, Class<?> type) {
        if (!registry.containsBeanDefinition(name)) {
            RootBeanDefinition definition = new RootBeanDefinition(type);
            definition.setRole(BeanDefinition.ROLE_INFRASTRUCTURE);
            registry.registerBeanDefinition(name, definition);
        }
    }
}
