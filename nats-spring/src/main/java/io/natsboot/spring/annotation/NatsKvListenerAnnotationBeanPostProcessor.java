package io.natsboot.spring.annotation;

import io.nats.client.Connection;
import io.nats.client.api.KeyValueEntry;
import io.nats.client.api.KeyValueOperation;
import io.nats.client.impl.NatsMessage;
import io.natsboot.spring.core.NatsMessageConverter;
import io.natsboot.spring.kv.KeyValueWatchContainer;
import io.natsboot.spring.listener.NatsListenerEndpointRegistry;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import org.springframework.aop.support.AopUtils;
import org.springframework.core.MethodParameter;
import org.springframework.core.ResolvableType;
import org.springframework.util.ReflectionUtils;
import org.springframework.util.StringUtils;

/**
 * Finds {@link NatsKvListener} methods and, once all singletons exist, registers a {@link KeyValueWatchContainer}
 * for each in the {@link NatsListenerEndpointRegistry}. Registered by {@link EnableNats}.
 */
public class NatsKvListenerAnnotationBeanPostProcessor extends AnnotatedMethodPostProcessor<NatsKvListener> {

    public NatsKvListenerAnnotationBeanPostProcessor() {
        super(NatsKvListener.class);
    }

    @Override
    protected void doRegister(Found<NatsKvListener> f) {
        NatsKvListener a = f.annotation();
        Method method = f.method();
        String id = StringUtils.hasText(a.id()) ? resolve(a.id())
                : method.getDeclaringClass().getName() + "#" + method.getName();
        Connection connection = beanFactory.getBeanProvider(Connection.class).getIfUnique();
        if (connection == null) {
            throw new IllegalStateException("@NatsKvListener needs a jnats Connection bean");
        }
        NatsMessageConverter converter = beanFactory.getBeanProvider(NatsMessageConverter.class)
                .getIfUnique(NatsMessageConverter::createDefault);
        KeyValueWatchContainer container = new KeyValueWatchContainer(id, connection, resolve(a.bucket()),
                resolve(a.keys()), a.options(), a.autoStartup(), handler(f.bean(), method, converter));
        beanFactory.getBean(NatsListenerEndpointRegistry.class).registerListenerContainer(container, initialized());
    }

    private String resolve(String value) {
        String resolved = beanFactory.resolveEmbeddedValue(value);
        return resolved == null ? "" : resolved;
    }

    static Consumer<KeyValueEntry> handler(Object bean, Method method, NatsMessageConverter converter) {
        ReflectionUtils.makeAccessible(method);
        Parameter[] params = method.getParameters();
        List<Function<KeyValueEntry, Object>> resolvers = new ArrayList<>();
        boolean valuesOnly = false;
        for (int i = 0; i < params.length; i++) {
            Parameter p = params[i];
            if (p.isAnnotationPresent(NatsSubject.class)) {
                resolvers.add(KeyValueEntry::getKey);
            } else if (p.getType() == KeyValueEntry.class) {
                resolvers.add(e -> e);
            } else if (valuesOnly) {
                throw new IllegalStateException("@NatsKvListener method " + method
                        + " has more than one value parameter; annotate the key with @NatsSubject");
            } else {
                valuesOnly = true;
                Type type = ResolvableType.forMethodParameter(MethodParameter.forExecutable(method, i)
                        .withContainingClass(AopUtils.getTargetClass(bean))).getType();
                resolvers.add(e -> converter.fromMessage(NatsMessage.builder().subject(e.getKey())
                        .data(e.getValue() == null ? new byte[0] : e.getValue()).build(), type));
            }
        }
        boolean skipDeletes = valuesOnly;
        return entry -> {
            if (skipDeletes && entry.getOperation() != KeyValueOperation.PUT) {
                return;
            }
            Object[] args = new Object[resolvers.size()];
            for (int i = 0; i < args.length; i++) {
                args[i] = resolvers.get(i).apply(entry);
            }
            try {
                method.invoke(bean, args);
            } catch (InvocationTargetException e) {
                throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        };
    }
}
