package io.natsboot.spring.annotation;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
import org.springframework.core.annotation.AnnotationUtils;

/**
 * What the listener annotations' post-processors share: find the methods of each bean that carry annotation
 * {@code A}, keep them until every singleton exists (so containers see the whole context), then register each;
 * a bean created later (lazy, prototype) is registered at once. A registration failure names the method.
 */
abstract class AnnotatedMethodPostProcessor<A extends Annotation>
        implements BeanPostProcessor, BeanFactoryAware, SmartInitializingSingleton {

    /** One annotated method of one bean. */
    protected record Found<A>(Object bean, String beanName, Method method, A annotation) { }

    private final Class<A> annotationType;
    private final List<Found<A>> found = new ArrayList<>();
    private boolean initialized;
    protected ConfigurableListableBeanFactory beanFactory;

    protected AnnotatedMethodPostProcessor(Class<A> annotationType) {
        this.annotationType = annotationType;
    }

    /** Whether every singleton exists (a container registered now starts with the context already running). */
    protected boolean initialized() {
        return initialized;
    }

    /** Registers the container (or endpoint) of one annotated method. */
    protected abstract void doRegister(Found<A> f);

    @Override
    public void setBeanFactory(BeanFactory beanFactory) throws BeansException {
        this.beanFactory = (ConfigurableListableBeanFactory) beanFactory;
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) throws BeansException {
        Class<?> target = AopUtils.getTargetClass(bean);
        if (!AnnotationUtils.isCandidateClass(target, annotationType)) {
            return bean;
        }
        Map<Method, A> methods = MethodIntrospector.selectMethods(target,
                (MethodIntrospector.MetadataLookup<A>) m -> AnnotatedElementUtils.findMergedAnnotation(m, annotationType));
        for (Map.Entry<Method, A> e : methods.entrySet()) {
            Found<A> f = new Found<>(bean, beanName, AopUtils.selectInvocableMethod(e.getKey(), bean.getClass()),
                    e.getValue());
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
        for (Found<A> f : found) {
            register(f);
        }
        found.clear();
    }

    private void register(Found<A> f) {
        try {
            doRegister(f);
        } catch (RuntimeException e) {
            throw new BeanInitializationException("Cannot register @" + annotationType.getSimpleName() + " "
                    + f.method().getDeclaringClass().getSimpleName() + "#" + f.method().getName() + " of bean '"
                    + f.beanName() + "': " + e.getMessage(), e);
        }
    }
}
