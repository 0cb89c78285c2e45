package io.natsboot.spring.annotation;

import io.nats.client.Connection;
import io.nats.client.Message;
import io.natsboot.spring.core.NatsInstrumentation;
import io.natsboot.spring.core.NatsMessageConverter;
import io.natsboot.spring.jetstream.JetStreamListenerContainerFactory;
import io.natsboot.spring.jetstream.JetStreamListenerEndpoint;
import io.natsboot.spring.jetstream.JetStreamMetrics;
import io.natsboot.spring.listener.NatsListenerEndpoint;
import io.natsboot.spring.listener.NatsListenerEndpointRegistry;
import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.aop.support.AopUtils;
import org.springframework.core.MethodParameter;
import org.springframework.core.ResolvableType;
import org.springframework.util.ReflectionUtils;
import org.springframework.util.StringUtils;
import org.springframework.util.backoff.BackOff;
import org.springframework.util.backoff.FixedBackOff;

/**
 * Finds {@link JetStreamListener} methods and, once all singletons exist, registers a JetStream listener
 * container for each in the {@link NatsListenerEndpointRegistry}. Registered by {@link EnableNats}.
 */
public class JetStreamListenerAnnotationBeanPostProcessor extends AnnotatedMethodPostProcessor<JetStreamListener> {

    public JetStreamListenerAnnotationBeanPostProcessor() {
        super(JetStreamListener.class);
    }

    @Override
    protected void doRegister(Found<JetStreamListener> f) {
        JetStreamListener a = f.annotation();
        Method method = f.method();
        String id = StringUtils.hasText(a.id()) ? resolve(a.id())
                : method.getDeclaringClass().getName() + "#" + method.getName();
        JetStreamListenerContainerFactory factory = factory(resolve(a.containerFactory()));
        BackOff backOff = null;
        if (StringUtils.hasText(a.backOff())) {
            backOff = beanFactory.getBean(resolve(a.backOff()), BackOff.class);
        } else if (StringUtils.hasText(resolve(a.nakDelay()))) {
            backOff = new FixedBackOff(duration(resolve(a.nakDelay())).toMillis(), FixedBackOff.UNLIMITED_ATTEMPTS);
        }
        String inProgress = resolve(a.inProgressInterval());
        JetStreamListenerEndpoint.Handler handler = a.batch()
                ? batchHandler(f.bean(), method, factory.getConverter())
                : singleHandler(f.bean(), method, factory.getConverter());
        JetStreamListenerEndpoint endpoint = new JetStreamListenerEndpoint(id, resolve(a.stream()),
                resolve(a.consumer()), Integer.parseInt(resolve(a.concurrency()).trim()),
                StringUtils.hasText(resolve(a.batchSize())) ? Integer.parseInt(resolve(a.batchSize()).trim())
                        : a.batch() ? 10 : 1, duration(resolve(a.pollTimeout())), a.batch(),
                Long.parseLong(resolve(a.maxDeliveries()).trim()), backOff,
                StringUtils.hasText(inProgress) ? duration(inProgress) : null, a.autoStartup(), handler);
        beanFactory.getBean(NatsListenerEndpointRegistry.class)
                .registerListenerContainer(factory.createContainer(endpoint), initialized());
    }

    private JetStreamListenerContainerFactory factory(String name) {
        if (StringUtils.hasText(name)) {
            return beanFactory.getBean(name, JetStreamListenerContainerFactory.class);
        }
        synchronized (JetStreamListenerAnnotationBeanPostProcessor.class) {
            JetStreamListenerContainerFactory own = beanFactory.getBeanProvider(JetStreamListenerContainerFactory.class)
                    .getIfUnique();
            if (own != null) {
                return own;
            }
            Connection connection = beanFactory.getBeanProvider(Connection.class).getIfUnique();
            if (connection == null) {
                throw new IllegalStateException("@JetStreamListener needs a jnats Connection bean (or a "
                        + "JetStreamListenerContainerFactory bean)");
            }
            JetStreamListenerContainerFactory factory = new JetStreamListenerContainerFactory(connection,
                    beanFactory.getBeanProvider(NatsMessageConverter.class).getIfUnique(NatsMessageConverter::createDefault));
            factory.setInstrumentation(beanFactory.getBeanProvider(NatsInstrumentation.class)
                    .getIfUnique(() -> NatsInstrumentation.NONE));
            factory.setMetrics(beanFactory.getBeanProvider(JetStreamMetrics.class).getIfUnique(() -> JetStreamMetrics.NONE));
            beanFactory.registerSingleton(JetStreamListenerContainerFactory.DEFAULT_BEAN_NAME, factory);
            return factory;
        }
    }

    private String resolve(String value) {
        String resolved = beanFactory.resolveEmbeddedValue(value);
        return resolved == null ? "" : resolved;
    }

    /** {@code 500ms}, {@code 2s}, {@code 1m}, {@code 1h}, a number of milliseconds, or ISO-8601. */
    static Duration duration(String text) {
        String t = text.trim().toLowerCase(java.util.Locale.ROOT);
        if (t.startsWith("p")) {
            return Duration.parse(text.trim());
        }
        if (t.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2).trim()));
        }
        long n = t.matches("\\d+[smh]") ? Long.parseLong(t.substring(0, t.length() - 1)) : -1;
        return switch (t.isEmpty() ? ' ' : t.charAt(t.length() - 1)) {
            case 's' -> Duration.ofSeconds(n);
            case 'm' -> Duration.ofMinutes(n);
            case 'h' -> Duration.ofHours(n);
            default -> Duration.ofMillis(Long.parseLong(t));
        };
    }

    private static JetStreamListenerEndpoint.Handler singleHandler(Object bean, Method method,
            NatsMessageConverter converter) {
        NatsListenerEndpoint.Handler single = NatsListenerAnnotationBeanPostProcessor.handler(bean, method, converter);
        return messages -> single.handle(messages.get(0));
    }

    private static JetStreamListenerEndpoint.Handler batchHandler(Object bean, Method method,
            NatsMessageConverter converter) {
        if (method.getParameterCount() != 1 || !List.class.isAssignableFrom(method.getParameterTypes()[0])) {
            throw new IllegalStateException("a batch @JetStreamListener takes one List<T> parameter, not "
                    + List.of(method.getGenericParameterTypes()));
        }
        ReflectionUtils.makeAccessible(method);
        ResolvableType list = ResolvableType.forMethodParameter(
                MethodParameter.forExecutable(method, 0).withContainingClass(AopUtils.getTargetClass(bean)));
        Type element = list.getGeneric(0).getType();
        boolean raw = element == Message.class || list.getGeneric(0).resolve() == null;
        return messages -> {
            List<Object> payloads = new ArrayList<>(messages.size());
            for (Message m : messages) {
                payloads.add(raw ? m : converter.fromMessage(m, element));
            }
            return method.invoke(bean, payloads);
        };
    }
}
