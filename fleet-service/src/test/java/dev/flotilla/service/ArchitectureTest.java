package dev.flotilla.service;

import jakarta.persistence.Entity;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The service is cut into feature packages, the direct subpackages of {@code dev.flotilla.service}:
 * agent, audit, auth, boot, common, desired, enroll, fleetv1, machine, notify, observed, org, tenant, units,
 * updates and web. Features talk to each other through their {@code *Service} classes and events;
 * these rules keep it that way. Plain ArchUnit on the compiled classes: nothing here boots Quarkus.
 * {@code ArchitectureRulesFailTest} shows that the rules do fail when broken.
 */
@AnalyzeClasses(packages = "dev.flotilla.service", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
    private static final String ROOT = "dev.flotilla.service";

    @ArchTest
    static final ArchRule entitiesShouldOnlyBeUsedInTheirOwnFeature = classes()
            .that()
            .areAnnotatedWith(Entity.class)
            .should(onlyBeUsedFromTheirOwnFeature())
            .because("features talk through their *Service classes and events, not through each other's entities");

    @ArchTest
    static final ArchRule commonShouldDependOnNoFeature = noClasses()
            .that()
            .resideInAPackage(ROOT + ".common..")
            .should()
            .dependOnClassesThat(resideInAPackage(ROOT + "..").and(resideOutsideOfPackage(ROOT + ".common..")))
            .because("common is what every feature may use, so it may use none of them");

    @ArchTest
    static final ArchRule tenantShouldDependOnNoFeature = noClasses()
            .that()
            .resideInAPackage(ROOT + ".tenant..")
            .should()
            .dependOnClassesThat(resideInAPackage(ROOT + "..")
                    .and(resideOutsideOfPackage(ROOT + ".tenant.."))
                    .and(resideOutsideOfPackage(ROOT + ".common..")))
            .because(
                    "every feature is scoped by tenant (who acts, in which organization, with which role), so tenant may depend on none of them but common");

    @ArchTest
    static final ArchRule notifyShouldDependOnNoFeature = noClasses()
            .that()
            .resideInAPackage(ROOT + ".notify..")
            .should()
            .dependOnClassesThat(resideInAPackage(ROOT + "..")
                    .and(resideOutsideOfPackage(ROOT + ".notify.."))
                    .and(resideOutsideOfPackage(ROOT + ".common..")))
            .because("the LISTEN/NOTIFY hub carries every feature's notifications, so it knows none of them:"
                    + " each feature brings its own NotifyHandler");

    @ArchTest
    static final ArchRule orgShouldNotDependOnSignIn = noClasses()
            .that()
            .resideInAPackage(ROOT + ".org..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage(ROOT + ".auth..")
            .because("sign-in (auth) reads memberships to know what a person may do; organizations, members"
                    + " and invitations know nothing of how people sign in");

    @ArchTest
    static final ArchRule nothingShouldDependOnTheDashboard = noClasses()
            .that()
            .resideInAPackage(ROOT + "..")
            .and()
            .resideOutsideOfPackage(ROOT + ".web..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage(ROOT + ".web..")
            .because("the dashboard is a leaf: it uses the features, no feature uses it");

    @ArchTest
    static final ArchRule featuresShouldBeFreeOfCycles = slices().matching(ROOT + ".(*)..")
            .namingSlices("feature $1")
            .should()
            .beFreeOfCycles();

    /** The feature a class belongs to: the first package segment below {@link #ROOT}. */
    private static String featureOf(JavaClass javaClass) {
        String pkg = javaClass.getPackageName();
        if (!pkg.startsWith(ROOT + ".")) {
            return pkg;
        }
        String rest = pkg.substring(ROOT.length() + 1);
        int dot = rest.indexOf('.');
        return dot < 0 ? rest : rest.substring(0, dot);
    }

    private static ArchCondition<JavaClass> onlyBeUsedFromTheirOwnFeature() {
        return new ArchCondition<>("only be used by classes of their own feature package") {
            @Override
            public void check(JavaClass entity, ConditionEvents events) {
                String feature = featureOf(entity);
                for (Dependency dependency : entity.getDirectDependenciesToSelf()) {
                    if (!featureOf(dependency.getOriginClass()).equals(feature)) {
                        events.add(SimpleConditionEvent.violated(
                                dependency,
                                "entity " + entity.getSimpleName() + " of feature '" + feature
                                        + "' is used from feature '" + featureOf(dependency.getOriginClass())
                                        + "': " + dependency.getDescription()));
                    }
                }
            }
        };
    }
}
