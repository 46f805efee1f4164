package dev.flotilla.api;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

/**
 * The shared module is what the service, the agent, the CLI and the load tests all put on their
 * class path, so it depends on nothing of ours and on no framework beyond Jackson.
 */
@AnalyzeClasses(packages = "dev.flotilla.api", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule shouldDependOnlyOnJavaJacksonAndItself = classes()
            .that()
            .resideInAPackage("dev.flotilla.api..")
            .should()
            .onlyDependOnClassesThat()
            .resideInAnyPackage("java..", "com.fasterxml.jackson..", "dev.flotilla.api..")
            .because("fleet-api is shared by the service, the agent and the tools, and may only need Jackson");
}
