package io.natsboot.rider;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * How the modules may use each other (the demo sees them all on its class path): the Spring library and the
 * client starter never touch the server; the server starter and the demo use only the engine's public API
 * (the {@code NatsServer} facade, options, monitoring snapshots and metrics, logging, Go formats), never its
 * connection, cluster, protocol, subject, auth or TLS internals.
 */
class ModuleBoundariesTest {
    private static final String[] ENGINE_INTERNALS = {"io.natsboot.server.connection..", "io.natsboot.server.cluster..",
        "io.natsboot.server.protocol..", "io.natsboot.server.subject..", "io.natsboot.server.auth..",
        "io.natsboot.server.tls..", "io.natsboot.server.websocket.."};
    private static JavaClasses classes;

    @BeforeAll
    static void importModules() {
        // Main classes only: test classes and the core's test-jar may use anything.
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(location -> !location.contains("-tests.jar") && !location.contains("/test-classes/"))
                .importPackages("io.natsboot");
        assertThat(classes.contain("io.natsboot.server.NatsServer")).isTrue();
        assertThat(classes.contain("io.natsboot.rider.RiderApplication")).isTrue();
    }

    @Test
    void serverStarterAndDemoUseOnlyTheEnginesPublicApi() {
        // TrustOptions is the operator-mode part of the options (it lives beside the JWT code it configures)
        noClasses().that().resideInAnyPackage("io.natsboot.server.autoconfigure..", "io.natsboot.rider..")
                .should().dependOnClassesThat(JavaClass.Predicates.resideInAnyPackage(ENGINE_INTERNALS)
                        .and(DescribedPredicate.not(JavaClass.Predicates.belongTo(
                                JavaClass.Predicates.simpleName("TrustOptions")))))
                .check(classes);
    }

    @Test
    void springLibraryAndClientStarterNeverNameTheServer() {
        noClasses().that().resideInAnyPackage("io.natsboot.spring..", "io.natsboot.client..")
                .should().dependOnClassesThat().resideInAnyPackage("io.natsboot.server..")
                .check(classes);
    }

    @Test
    void springLibraryHasNoBootAutoConfiguration() {
        noClasses().that().resideInAPackage("io.natsboot.spring..")
                .should().dependOnClassesThat().resideInAnyPackage("org.springframework.boot..",
                        "io.natsboot.client.autoconfigure..")
                .check(classes);
    }

    @Test
    void springLibraryPackagesHaveNoCycles() {
        // core, listener, annotation, service, jetstream, kv, objectstore, micrometer depend downwards only
        slices().matching("io.natsboot.spring.(*)..").should().beFreeOfCycles().check(classes);
    }
}
