package io.natsboot.test.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doReturn;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestContext;

/** The context cache key: shared per configuration in CONTEXT scope, one per test class in CLASS scope. */
class EmbeddedNatsContextCustomizerFactoryTests {

    private final EmbeddedNatsContextCustomizerFactory factory = new EmbeddedNatsContextCustomizerFactory();

    @AutoConfigureEmbeddedNats
    static class SharedA { }

    @AutoConfigureEmbeddedNats
    static class SharedB { }

    @AutoConfigureEmbeddedNats(scope = AutoConfigureEmbeddedNats.Scope.CLASS)
    static class OwnA { }

    @AutoConfigureEmbeddedNats(scope = AutoConfigureEmbeddedNats.Scope.CLASS)
    static class OwnB { }

    @NatsTest(scope = AutoConfigureEmbeddedNats.Scope.CLASS)
    static class Slice { }

    static class Without { }

    @Test
    void contextScopeSharesAndClassScopeSeparates() {
        assertThat(factory.createContextCustomizer(SharedA.class, List.of()))
                .isEqualTo(factory.createContextCustomizer(SharedB.class, List.of()));
        assertThat(factory.createContextCustomizer(OwnA.class, List.of()))
                .isNotEqualTo(factory.createContextCustomizer(OwnB.class, List.of()))
                .isEqualTo(factory.createContextCustomizer(OwnA.class, List.of()));
        assertThat(factory.createContextCustomizer(Slice.class, List.of()))
                .isEqualTo(new EmbeddedNatsContextCustomizer(Slice.class, true, false));
        assertThat(factory.createContextCustomizer(Without.class, List.of())).isNull();
    }

    @Test
    void classScopedContextsAreClosedAfterTheirClass() {
        EmbeddedNatsTestExecutionListener listener = new EmbeddedNatsTestExecutionListener();
        TestContext own = context(OwnA.class);
        listener.afterTestClass(own);
        verify(own).markApplicationContextDirty(DirtiesContext.HierarchyMode.EXHAUSTIVE);
        TestContext shared = context(SharedA.class);
        listener.afterTestClass(shared);
        verify(shared, never()).markApplicationContextDirty(any());
    }

    private static TestContext context(Class<?> testClass) {
        TestContext context = mock(TestContext.class);
        doReturn(testClass).when(context).getTestClass();
        when(context.hasApplicationContext()).thenReturn(true);
        return context;
    }
}
