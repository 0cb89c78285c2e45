package io.natsboot.spring.annotation;

import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import io.nats.service.Group;
import io.nats.service.Service;
import io.nats.service.ServiceBuilder;
import io.nats.service.ServiceEndpoint;
import io.nats.service.ServiceMessage;
import io.nats.service.ServiceMessageHandler;
import io.natsboot.spring.core.AsyncResults;
import io.natsboot.spring.core.NatsInstrumentation;
import io.natsboot.spring.core.NatsMessageConverter;
import io.natsboot.spring.listener.NatsListenerContainerFactory;
import io.natsboot.spring.listener.NatsListenerEndpoint;
import io.natsboot.spring.service.NatsServiceRegistry;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.BeanInitializationException;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.StringUtils;

/**
 * Turns {@link NatsService} beans into jnats {@link Service}s registered in the {@link NatsServiceRegistry},
 * one {@link ServiceEndpoint} per {@link NatsServiceEndpoint} method, on the connection, converter and drain timeout
 * of the default {@link NatsListenerContainerFactory}. Registered by {@link EnableNats}.
 */
public class NatsServiceAnnotationBeanPostProcessor
        implements BeanPostProcessor, BeanFactoryAware, SmartInitializingSingleton {

    private record Found(Object bean, String beanName, NatsService service, Map<Method, NatsServiceEndpoint> endpoints) { }

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
        NatsService service = AnnotatedElementUtils.findMergedAnnotation(target, NatsService.class);
        if (service == null) {
            return bean;
        }
        Map<Method, NatsServiceEndpoint> endpoints = new LinkedHashMap<>();
        MethodIntrospector.selectMethods(target, (MethodIntrospector.MetadataLookup<NatsServiceEndpoint>) m ->
                AnnotatedElementUtils.findMergedAnnotation(m, NatsServiceEndpoint.class))
                .forEach((m, a) -> endpoints.put(AopUtils.selectInvocableMethod(m, bean.getClass()), a));
        Found f = new Found(bean, beanName, service, endpoints);
        if (initialized) {
            register(f);
        } else {
            found.add(f);
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
            String name = resolve(f.service().name());
            Supplier<Service> factory = factory(f, name);
            beanFactory.getBean(NatsServiceRegistry.class).register(name, factory, initialized);
        } catch (RuntimeException e) {
            throw new BeanInitializationException("Cannot register @NatsService bean '" + f.beanName() + "': "
                    + e.getMessage(), e);
        }
    }

    private Supplier<Service> factory(Found f, String name) {
        NatsService a = f.service();
        if (f.endpoints().isEmpty()) {
            throw new IllegalStateException("no @NatsServiceEndpoint methods");
        }
        // Services run like listeners: the default container factory's connection, converter, instrumentation
        // and drain timeout.
        NatsListenerContainerFactory containers = ListenerContainerFactories.resolve(beanFactory,
                NatsListenerContainerFactory.DEFAULT_BEAN_NAME);
        Connection connection = containers.getConnection();
        NatsMessageConverter converter = containers.getConverter();
        NatsInstrumentation instrumentation = containers.getInstrumentation();
        Duration drain = containers.getDrainTimeout();
        String version = resolve(a.version());
        String description = resolve(a.description());
        Map<String, String> metadata = metadata(a.metadata());
        String group = resolve(a.group());
        String serviceQueue = resolve(a.queueGroup());
        List<Supplier<ServiceEndpoint>> endpoints = new ArrayList<>();
        f.endpoints().forEach((method, e) -> {
            String endpointName = StringUtils.hasText(e.name()) ? resolve(e.name()) : method.getName();
            String subject = StringUtils.hasText(e.subject()) ? resolve(e.subject()) : endpointName;
            String queue = StringUtils.hasText(e.queueGroup()) ? resolve(e.queueGroup()) : serviceQueue;
            Map<String, String> endpointMetadata = metadata(e.metadata());
            NatsListenerEndpoint.Handler handler = NatsListenerAnnotationBeanPostProcessor.handler(f.bean(), method,
                    converter);
            String observedId = name + "/" + endpointName;
            endpoints.add(() -> {
                ServiceEndpoint.Builder b = ServiceEndpoint.builder().endpointName(endpointName)
                        .endpointSubject(subject)
                        .handler(serviceHandler(handler, connection, converter, instrumentation, observedId));
                if (StringUtils.hasText(group)) {
                    b.group(new Group(group));
                }
                if (StringUtils.hasText(queue)) {
                    b.endpointQueueGroup(queue);
                }
                if (!endpointMetadata.isEmpty()) {
                    b.endpointMetadata(endpointMetadata);
                }
                return b.build();
            });
        });
        return () -> {
            ServiceBuilder b = Service.builder().connection(connection).name(name).version(version)
                    .drainTimeout(drain);
            if (StringUtils.hasText(description)) {
                b.description(description);
            }
            if (!metadata.isEmpty()) {
                b.metadata(metadata);
            }
            endpoints.forEach(e -> b.addServiceEndpoint(e.get()));
            return b.build();
        };
    }

    static ServiceMessageHandler serviceHandler(NatsListenerEndpoint.Handler handler, Connection connection,
            NatsMessageConverter converter, NatsInstrumentation instrumentation, String id) {
        return request -> {
            Message message = NatsMessage.builder().subject(request.getSubject()).replyTo(request.getReplyTo())
                    .headers(request.getHeaders()).data(request.getData()).build();
            NatsInstrumentation.Handle observation = instrumentation.receive(message, id);
            try (NatsInstrumentation.Scope scope = observation.openScope()) {
                Object result = await(handler.handle(message));
                respond(request, result, connection, converter);
            } catch (Throwable e) {
                Throwable cause = unwrap(e);
                observation.error(cause);
                // jnats counts the error in STATS and answers with Nats-Service-Error / -Code 500.
                throw NatsServiceAnnotationBeanPostProcessor.<RuntimeException>sneaky(cause);
            } finally {
                observation.stop();
            }
        };
    }

    private static void respond(ServiceMessage request, Object result, Connection connection,
            NatsMessageConverter converter) {
        if (request.getReplyTo() == null || request.getReplyTo().isEmpty()) {
            return;
        }
        Headers headers = new Headers();
        byte[] data = result == null ? new byte[0] : converter.toBytes(result, headers);
        request.respond(connection, data, headers.isEmpty() ? null : headers);
    }

    private static Object await(Object result) throws Exception {
        if (result instanceof CompletionStage<?> stage) {
            return stage.toCompletableFuture().get();
        }
        if (AsyncResults.isMono(result)) {
            return AsyncResults.block(result);
        }
        return result;
    }

    private static Throwable unwrap(Throwable e) {
        Throwable cause = e;
        while ((cause instanceof InvocationTargetException || cause instanceof CompletionException
                || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> T sneaky(Throwable t) throws T {
        throw (T) t;
    }

    private Map<String, String> metadata(String[] pairs) {
        Map<String, String> map = new LinkedHashMap<>();
        for (String pair : pairs) {
            String resolved = resolve(pair);
            int eq = resolved.indexOf('=');
            if (eq <= 0) {
                throw new IllegalStateException("metadata '" + resolved + "' is not key=value");
            }
            map.put(resolved.substring(0, eq).trim(), resolved.substring(eq + 1).trim());
        }
        return map;
    }

    private String resolve(String value) {
        String resolved = beanFactory.resolveEmbeddedValue(value);
        return resolved == null ? "" : resolved;
    }
}
