package io.natsboot.server.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The engine's package graph: no cycles between its packages, and {@code NatsServer} (the root package) is the
 * composition root that hands each part what it needs, so no package depends back on it. A new dependency
 * that closes a cycle fails the build here, naming the classes involved.
 */
class PackageGraphTest {
    private static JavaClasses engine;

    @BeforeAll
    static void importEngine() {
        engine = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.natsboot.server");
        // The rules below pass vacuously on nothing: make sure the engine was imported.
        org.assertj.core.api.Assertions.assertThat(engine.size()).isGreaterThan(100);
    }

    @Test
    void packagesFormNoCycle() {
        slices().matching("io.natsboot.server.(*)..").should().beFreeOfCycles().check(engine);
    }

    @Test
    void onlyTheCompositionRootSeesTheRootPackage() {
        noClasses().that().resideOutsideOfPackage("io.natsboot.server")
                .should().dependOnClassesThat().resideInAPackage("io.natsboot.server")
                .because("NatsServer composes the parts; they get narrow interfaces, never the server itself")
                .check(engine);
    }
}
