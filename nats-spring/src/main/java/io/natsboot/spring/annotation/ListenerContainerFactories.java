package io.natsboot.spring.annotation;

import io.nats.client.Connection;
import io.natsboot.spring.core.NatsInstrumentation;
import io.natsboot.spring.core.NatsMessageConverter;
import io.natsboot.spring.listener.NatsListenerContainerFactory;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;

/**
 * The container factory an annotated endpoint runs with: the named bean, or for the default name a bean of
 * that name when the context has one, else one created on the context's {@link Connection} and registered
 * under the default name (so every post-processor shares it).
 */
final class ListenerContainerFactories {

    private ListenerContainerFactories() {
    }

    static NatsListenerContainerFactory resolve(ConfigurableListableBeanFactory beanFactory, String name) {
        if (!NatsListenerContainerFactory.DEFAULT_BEAN_NAME.equals(name)) {
            return beanFactory.getBean(name, NatsListenerContainerFactory.class);
        }
        synchronized (ListenerContainerFactories.class) {
            if (beanFactory.containsBean(name)) {
                return beanFactory.getBean(name, NatsListenerContainerFactory.class);
            }
            Connection connection = beanFactory.getBeanProvider(Connection.class).getIfUnique();
            if (connection == null) {
                throw new IllegalStateException("@NatsListener and @NatsService need a jnats Connection bean (or a "
                        + "NatsListenerContainerFactory bean named '" + name + "')");
            }
            NatsListenerContainerFactory factory = new NatsListenerContainerFactory(connection,
                    beanFactory.getBeanProvider(NatsMessageConverter.class).getIfUnique(NatsMessageConverter::createDefault));
            factory.setInstrumentation(beanFactory.getBeanProvider(NatsInstrumentation.class)
                    .getIfUnique(() -> NatsInstrumentation.NONE));
            beanFactory.registerSingleton(name, factory);
            return factory;
        }
    }
}
