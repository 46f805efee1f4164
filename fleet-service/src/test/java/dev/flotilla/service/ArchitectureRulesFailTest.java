package dev.flotilla.service;

import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;

import dev.flotilla.service.auth.AccountService;
import dev.flotilla.service.common.brokenrule.UsesAFeature;
import dev.flotilla.service.machine.MachineRef;
import dev.flotilla.service.notify.brokenrule.KnowsAFeature;
import dev.flotilla.service.org.brokenrule.ReachesIntoSignIn;
import dev.flotilla.service.units.Placements;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A rule that cannot fail guards nothing: each rule of {@link ArchitectureTest} is run here over a
 * test class that breaks it on purpose (in a {@code brokenrule} package of the feature, which the
 * real check leaves out with the other test classes) and must report it. This also shows that the
 * rules are evaluated at all under the JUnit platform the build runs.
 */
class ArchitectureRulesFailTest {
    private static void assertBroken(ArchRule rule, Class<?>... classes) {
        JavaClasses imported = new ClassFileImporter().importClasses(classes);
        EvaluationResult result = rule.evaluate(imported);
        assertThat(result.hasViolation()).as(rule.getDescription()).isTrue();
    }

    private static void assertHolds(ArchRule rule, Class<?>... classes) {
        JavaClasses imported = new ClassFileImporter().importClasses(classes);
        assertThat(rule.evaluate(imported).hasViolation()).isFalse();
    }

    @Test
    void shouldReportOrganizationsReachingIntoSignIn() {
        assertBroken(ArchitectureTest.orgShouldNotDependOnSignIn, ReachesIntoSignIn.class, AccountService.class);
        assertHolds(ArchitectureTest.orgShouldNotDependOnSignIn, dev.flotilla.service.org.InvitationService.class);
    }

    @Test
    void shouldReportTheNotifyHubKnowingAFeature() {
        assertBroken(ArchitectureTest.notifyShouldDependOnNoFeature, KnowsAFeature.class, MachineRef.class);
    }

    @Test
    void shouldReportCommonUsingAFeature() {
        assertBroken(ArchitectureTest.commonShouldDependOnNoFeature, UsesAFeature.class, Placements.class);
    }
}
