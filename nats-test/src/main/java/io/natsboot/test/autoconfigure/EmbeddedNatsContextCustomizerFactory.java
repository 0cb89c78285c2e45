package io.natsboot.test.autoconfigure;

import java.util.List;
import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;
import org.springframework.test.context.TestContextAnnotationUtils;

/** Registered in {@code META-INF/spring.factories}: acts on tests with {@link AutoConfigureEmbeddedNats}. */
class EmbeddedNatsContextCustomizerFactory implements ContextCustomizerFactory {

    @Override
    public ContextCustomizer createContextCustomizer(Class<?> testClass,
            List<ContextConfigurationAttributes> configAttributes) {
        AutoConfigureEmbeddedNats annotation = TestContextAnnotationUtils.findMergedAnnotation(testClass,
                AutoConfigureEmbeddedNats.class);
        if (annotation == null) {
            return null;
        }
        Class<?> perClass = annotation.scope() == AutoConfigureEmbeddedNats.Scope.CLASS ? testClass : null;
        return new EmbeddedNatsContextCustomizer(perClass, annotation.replaceEmbeddedServer(), annotation.jetStream());
    }
}
