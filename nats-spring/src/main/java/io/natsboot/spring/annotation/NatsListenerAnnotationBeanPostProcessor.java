package io.natsboot.spring.annotation;

import io.nats.client.Message;
import io.nats.client.impl.Headers;
import io.natsboot.spring.core.NatsMessageConverter;
import io.natsboot.spring.listener.NatsListenerContainerFactory;
import io.natsboot.spring.listener.NatsListenerEndpoint;
import io.natsboot.spring.listener.NatsListenerEndpointRegistry;
import io.natsboot.spring.listener.NatsListenerErrorHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.springframework.aop.support.AopUtils;
import org.springframework.core.MethodParameter;
import org.springframework.core.ResolvableType;
import org.springframework.util.ReflectionUtils;
import org.springframework.util.StringUtils;

/**
 * Finds {@link NatsListener} methods on beans and, once all singletons exist, registers a container for each
 * in the {@link NatsListenerEndpointRegistry}, created by the named (or default) {@link NatsListenerContainerFactory}.
 * Registered by {@link EnableNats}.
 */
public class NatsListenerAnnotationBeanPostProcessor extends AnnotatedMethodPostProcessor<NatsListener> {

    public NatsListenerAnnotationBeanPostProcessor() {
        super(NatsListener.class);
    }

    @Override
    protected void doRegister(Found<NatsListener> f) {
        NatsListener a = f.annotation();
        Method method = f.method();
        String id = StringUtils.hasText(a.id()) ? resolve(a.id())
                : method.getDeclaringClass().getName() + "#" + method.getName();
        List<String> subjects = Arrays.stream(a.subjects()).map(this::resolve).filter(StringUtils::hasText).toList();
        String queue = resolve(a.queue());
        String factoryName = StringUtils.hasText(a.containerFactory()) ? resolve(a.containerFactory())
                : NatsListenerContainerFactory.DEFAULT_BEAN_NAME;
        NatsListenerContainerFactory factory = ListenerContainerFactories.resolve(beanFactory, factoryName);
        NatsListenerErrorHandler errorHandler = StringUtils.hasText(a.errorHandler())
                ? beanFactory.getBean(resolve(a.errorHandler()), NatsListenerErrorHandler.class) : null;
        NatsListenerEndpoint.Handler handler = handler(f.bean(), method, factory.getConverter());
        NatsListenerEndpoint endpoint = new NatsListenerEndpoint(id, subjects, queue, a.concurrency(),
                a.autoStartup(), errorHandler, handler);
        NatsListenerEndpointRegistry registry = beanFactory.getBean(NatsListenerEndpointRegistry.class);
        registry.registerListenerContainer(factory.createContainer(endpoint), initialized());
    }

    private String resolve(String value) {
        String resolved = beanFactory.resolveEmbeddedValue(value);
        return resolved == null ? "" : resolved;
    }

    static NatsListenerEndpoint.Handler handler(Object bean, Method method, NatsMessageConverter converter) {
        ReflectionUtils.makeAccessible(method);
        Parameter[] params = method.getParameters();
        List<Function<Message, Object>> resolvers = new ArrayList<>();
        int payloads = 0;
        Class<?> beanClass = AopUtils.getTargetClass(bean);
        for (int index = 0; index < params.length; index++) {
            Parameter p = params[index];
            Class<?> type = p.getType();
            if (p.isAnnotationPresent(NatsSubject.class)) {
                resolvers.add(Message::getSubject);
            } else if (Message.class.isAssignableFrom(type)) {
                resolvers.add(m -> m);
            } else if (Headers.class.isAssignableFrom(type)) {
                resolvers.add(m -> m.getHeaders() != null ? m.getHeaders() : new Headers());
            } else {
                if (++payloads > 1) {
                    throw new IllegalStateException("@NatsListener method " + method
                            + " has more than one payload parameter; annotate the subject with @NatsSubject");
                }
                // The full generic type (List<Order>, type variables resolved against the bean's class), so
                // the converter builds Orders rather than maps.
                Type payloadType = ResolvableType.forMethodParameter(
                        MethodParameter.forExecutable(method, index).withContainingClass(beanClass)).getType();
                resolvers.add(payloadType instanceof Class<?> c ? m -> converter.fromMessage(m, c)
                        : m -> converter.fromMessage(m, payloadType));
            }
        }
        return message -> {
            Object[] args = new Object[resolvers.size()];
            for (int i = 0; i < args.length; i++) {
                args[i] = resolvers.get(i).apply(message);
            }
            return method.invoke(bean, args);
        };
    }
}
