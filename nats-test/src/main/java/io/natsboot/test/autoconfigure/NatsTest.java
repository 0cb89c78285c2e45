package io.natsboot.test.autoconfigure;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.test.autoconfigure.OverrideAutoConfiguration;
import org.springframework.boot.test.context.filter.annotation.TypeExcludeFilters;
import org.springframework.context.annotation.ComponentScan.Filter;
import org.springframework.core.annotation.AliasFor;
import org.springframework.test.context.BootstrapWith;
import org.springframework.test.context.junit.jupiter.SpringExtension;

/**
 * A test slice for the NATS side of an application (in the spirit of {@code @DataJpaTest}): only the NATS
 * client auto-configuration ({@link AutoConfigureNats}), and of the application's components only those with
 * {@code @NatsListener} methods or {@code @NatsService}, plus converters, customizers and error handlers;
 * against a fresh {@link AutoConfigureEmbeddedNats embedded server}. Add other beans with {@code @Import} or
 * {@link #includeFilters()}.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@BootstrapWith(NatsTestContextBootstrapper.class)
@ExtendWith(SpringExtension.class)
@OverrideAutoConfiguration(enabled = false)
@TypeExcludeFilters(NatsTypeExcludeFilter.class)
@AutoConfigureNats
@AutoConfigureEmbeddedNats
@ImportAutoConfiguration
public @interface NatsTest {

    /** Properties in {@code key=value} form added to the environment before the test runs. */
    String[] properties() default {};

    /** The server's lifetime: shared with the cached context (default) or one per test class. */
    @AliasFor(annotation = AutoConfigureEmbeddedNats.class, attribute = "scope")
    AutoConfigureEmbeddedNats.Scope scope() default AutoConfigureEmbeddedNats.Scope.CONTEXT;

    /** Start the test server with JetStream in a temporary directory. */
    @AliasFor(annotation = AutoConfigureEmbeddedNats.class, attribute = "jetStream")
    boolean jetStream() default false;

    /** {@code false} to skip the default filters and scan only {@link #includeFilters()}. */
    boolean useDefaultFilters() default true;

    Filter[] includeFilters() default {};

    Filter[] excludeFilters() default {};

    @AliasFor(annotation = ImportAutoConfiguration.class, attribute = "exclude")
    Class<?>[] excludeAutoConfiguration() default {};
}
