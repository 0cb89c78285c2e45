package io.natsboot.test.autoconfigure;

import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestContext;
import org.springframework.test.context.TestContextAnnotationUtils;
import org.springframework.test.context.support.AbstractTestExecutionListener;

/** Closes the context of a {@code CLASS}-scoped {@link AutoConfigureEmbeddedNats} test after its class, stopping its server. */
class EmbeddedNatsTestExecutionListener extends AbstractTestExecutionListener {

    @Override
    public int getOrder() {
        return 4000; // with the other dirties-context listeners
    }

    @Override
    public void afterTestClass(TestContext testContext) {
        AutoConfigureEmbeddedNats annotation = TestContextAnnotationUtils.findMergedAnnotation(
                testContext.getTestClass(), AutoConfigureEmbeddedNats.class);
        if (annotation != null && annotation.scope() == AutoConfigureEmbeddedNats.Scope.CLASS
                && testContext.hasApplicationContext()) {
            testContext.markApplicationContextDirty(DirtiesContext.HierarchyMode.EXHAUSTIVE);
        }
    }
}
