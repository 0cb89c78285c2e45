package io.natsboot.test.autoconfigure;

import java.io.IOException;
import java.util.Set;
import org.springframework.boot.test.context.filter.annotation.StandardAnnotationCustomizableTypeExcludeFilter;
import org.springframework.core.type.classreading.MetadataReader;
import org.springframework.core.type.classreading.MetadataReaderFactory;
import org.springframework.util.ClassUtils;

/**
 * The components a {@link NatsTest} scans: classes with {@code @NatsListener} methods, {@code @NatsService}
 * classes, and the NATS converters, customizers and error handlers.
 */
final class NatsTypeExcludeFilter extends StandardAnnotationCustomizableTypeExcludeFilter<NatsTest> {

    private static final String NATS_LISTENER = "io.natsboot.spring.annotation.NatsListener";
    private static final String[] INCLUDED = {"io.natsboot.spring.annotation.NatsService",
            "io.natsboot.spring.core.NatsMessageConverter", "io.natsboot.spring.listener.NatsListenerErrorHandler",
            "io.natsboot.client.autoconfigure.NatsConnectionCustomizer", "io.nats.service.Service"};

    private final Set<Class<?>> includes;

    NatsTypeExcludeFilter(Class<?> testClass) {
        super(testClass);
        ClassLoader loader = testClass.getClassLoader();
        this.includes = java.util.Arrays.stream(INCLUDED).filter(name -> ClassUtils.isPresent(name, loader))
                .<Class<?>>map(name -> ClassUtils.resolveClassName(name, loader))
                .collect(java.util.stream.Collectors.toUnmodifiableSet());
    }

    @Override
    protected Set<Class<?>> getKnownIncludes() {
        return includes;
    }

    @Override
    protected boolean defaultInclude(MetadataReader metadataReader, MetadataReaderFactory metadataReaderFactory)
            throws IOException {
        return super.defaultInclude(metadataReader, metadataReaderFactory)
                || metadataReader.getAnnotationMetadata().hasAnnotatedMethods(NATS_LISTENER);
    }
}
