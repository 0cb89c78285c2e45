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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ReflectionUtils;
import org.springframework.util.StringUtils;

/**
 * Finds {@link NatsListener} methods on beans and, once all singletons exist, registers a container for each
 * in the {@link NatsListenerEndpointRegistry}, created by the named (or default) {@link NatsListenerContainerFactory}.
 * Registered by {@link EnableNats}.
 */
public class NatsListenerAnnotationBeanPostProcessor
        implements BeanPostProcessor, BeanFactoryAware, SmartInitializingSingleton {

    private record Found(Object bean, String beanName, Method method, NatsListener annotation) { }

    private ConfigurableListableBeanFactory beanFactory;
    private final List<Found> found = new ArrayList<>();
    private boolean initialized;

    @Override
    public void setBeanFactory(BeanFactory beanFactory) throws BeansException {
        this.beanFactory = (ConfigurableListableBeanFactory) beanFactory;
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) throws BeansException {
        Class<?> target = AopUtils.getTargetClass(bean);
        if (!org.springframework.core.annotation.AnnotationUtils.isCandidateClass(target, NatsListener.class)) {
            return bean;
        }
        Map<Method, NatsListener> methods = MethodIntrospector.selectMethods(target,
                (MethodIntrospector.MetadataLookup<NatsListener>) m ->
                        AnnotatedElementUtils.findMergedAnnotation(m, NatsListener.class));
        for (Map.Entry<Method, NatsListener> e : methods.entrySet()) {
            Found f = new Found(bean, beanName, AopUtils.selectInvocableMethod(e.getKey(), bean.getClass()), e.getValue());
            if (initialized) {
                register(f); // a bean created after startup (lazy, prototype)
            } else {
                found.add(f);
            }
        }
        return bean;
    }

    @Override
    public void afterSingletonsInstantiated() {
        initialized = true;
        for (Found f : found) {
            register(f);
        }
        found.clear();
    }

    private void register(Found f) {
        try {
            doRegister(f);
        } catch (RuntimeException e) {
            throw new org.springframework.beans.factory.BeanInitializationException("Cannot register @NatsListener "
                    + f.method().getDeclaringClass().getSimpleName() + "#" + f.method().getName() + " of bean '"
                    + f.beanName() + "': " + e.getMessage(), e);
        }
    }

    private void doRegister(Found f) {
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
        registry.registerListenerContainer(factory.createContainer(endpoint), initialized);
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
        for (Parameter p : params) {
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
                resolvers.add(m -> converter.fromMessage(m, type));
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
