package io.natsboot.rider;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.List;
import java.util.Map;

import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.type.AnnotatedTypeMetadata;

/** On when {@code rider.roles} lists the role (exact names: {@code api} is not {@code tasks-api}). */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Conditional(ConditionalOnRiderRole.OnRole.class)
@interface ConditionalOnRiderRole {

    String value();

    final class OnRole implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            Map<String, Object> attrs = metadata.getAnnotationAttributes(ConditionalOnRiderRole.class.getName());
            String role = (String) attrs.get("value");
            return RiderProperties.hasRole(Binder.get(context.getEnvironment())
                    .bind("rider.roles", Bindable.listOf(String.class)).orElse(RiderProperties.DEFAULT_ROLES), role);
        }
    }
}
