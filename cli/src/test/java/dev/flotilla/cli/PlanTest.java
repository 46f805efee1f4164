package dev.flotilla.cli;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.flotilla.cli.FleetFiles.Desired;
import dev.flotilla.cli.FleetFiles.DesiredUnit;
import dev.flotilla.cli.FleetFiles.LabelRule;
import dev.flotilla.cli.Plan.Action;
import dev.flotilla.cli.Plan.Kind;
import dev.flotilla.cli.Plan.Live;
import dev.flotilla.cli.Plan.LiveUnit;
import dev.flotilla.cli.Plan.Machine;

import static org.assertj.core.api.Assertions.assertThat;

/** The plan as pure code: files and live state in, changes out, no service. */
class PlanTest {
    private static final String WEB = "[Service]\nExecStart=/bin/web\n";
    private static final String WEB2 = "[Service]\nExecStart=/bin/web --fast\n";

    private static DesiredUnit unit(String name, String target, String content) {
        return new DesiredUnit(name, target, content, null, "test");
    }

    private static LiveUnit live(String name, String target, String content) {
        return new LiveUnit(name, target, Plan.hash(content), content, null);
    }

    private static ObjectNode json(String text) throws Exception {
        return (ObjectNode) Api.JSON.readTree(text);
    }

    private static Desired desired(List<DesiredUnit> units, List<ObjectNode> policies, List<LabelRule> labels) {
        return new Desired(units, policies, labels);
    }

    private static Live nothing() {
        return new Live(Map.of(), Map.of(), Map.of());
    }

    @Test
    void shouldAddWhatTheOrganizationDoesNotHave() throws Exception {
        Plan plan = Plan.of(
                desired(
                        List.of(unit("web.service", "launched", WEB)),
                        List.of(json("{\"name\":\"nightly\"}")),
                        List.of()),
                nothing(),
                false);
        assertThat(plan.lines())
                .containsExactly("+ policy nightly", "+ unit web.service", "Plan: 2 to add, 0 to change, 0 to delete.");
    }

    @Test
    void shouldShowNoDifferenceWhenFileAndTargetAreTheSame() {
        Plan plan = Plan.of(
                desired(List.of(unit("web.service", "launched", WEB)), List.of(), List.of()),
                new Live(Map.of("web.service", live("web.service", "launched", WEB)), Map.of(), Map.of()),
                true);
        assertThat(plan.hasDifferences()).isFalse();
        assertThat(plan.lines()).containsExactly("No differences.");
    }

    @Test
    void shouldShowAChangedFileAsAUnifiedDiffAndAChangedTargetAsFromTo() {
        Plan plan = Plan.of(
                desired(List.of(unit("web.service", "loaded", WEB2)), List.of(), List.of()),
                new Live(Map.of("web.service", live("web.service", "launched", WEB)), Map.of(), Map.of()),
                false);
        assertThat(plan.lines().get(0)).isEqualTo("~ unit web.service (content, target: launched → loaded)");
        assertThat(plan.changes().get(0).diff())
                .contains("--- live/web.service")
                .contains("-ExecStart=/bin/web")
                .contains("+ExecStart=/bin/web --fast");
    }

    @Test
    void shouldNotCompareTheFileOfAnInstanceThatTakesItsTemplates() {
        Plan plan = Plan.of(
                desired(List.of(unit("web@1.service", "launched", null)), List.of(), List.of()),
                new Live(Map.of("web@1.service", live("web@1.service", "launched", WEB)), Map.of(), Map.of()),
                false);
        assertThat(plan.hasDifferences()).isFalse();
    }

    @Test
    void shouldTakeAGlobalUnitsRolloutTowardsTheFileAsNoDifference() {
        LiveUnit rolling = new LiveUnit("web.service", "launched", Plan.hash(WEB), WEB, Plan.hash(WEB2));
        Plan plan = Plan.of(
                desired(List.of(unit("web.service", "launched", WEB2)), List.of(), List.of()),
                new Live(Map.of("web.service", rolling), Map.of(), Map.of()),
                false);
        assertThat(plan.hasDifferences()).isFalse();
        assertThat(plan.notes()).containsExactly("unit web.service: its new file is rolling out");
    }

    @Test
    void shouldDeleteWhatTheFilesNoLongerNameOnlyWithPrune() throws Exception {
        Live live = new Live(
                Map.of("old.service", live("old.service", "launched", WEB)),
                Map.of("weekly", json("{\"name\":\"weekly\"}")),
                Map.of());
        assertThat(Plan.of(desired(List.of(), List.of(), List.of()), live, false)
                        .hasDifferences())
                .isFalse();
        Plan pruned = Plan.of(desired(List.of(), List.of(), List.of()), live, true);
        assertThat(pruned.lines())
                .containsExactly("- unit old.service", "- policy weekly", "Plan: 0 to add, 0 to change, 2 to delete.");
        assertThat(pruned.deletions()).hasSize(2);
    }

    @Test
    void shouldCompareOnlyThePolicyFieldsTheFileGivesAndKeepTheOthersOnApply() throws Exception {
        JsonNode now =
                json("{\"id\":\"1\",\"name\":\"nightly\",\"maxParallel\":\"1\",\"priority\":100,\"openNow\":false,"
                        + "\"windows\":[{\"days\":[\"MON\"],\"start\":\"02:00\",\"length\":\"PT2H\",\"timeZone\":\"UTC\","
                        + "\"cron\":null}]}");
        ObjectNode file = json("{\"name\":\"nightly\",\"maxParallel\":2,"
                + "\"windows\":[{\"days\":[\"MON\"],\"start\":\"03:00\",\"length\":\"PT2H\"}]}");
        Plan plan = Plan.of(
                desired(List.of(), List.of(file), List.of()),
                new Live(Map.of(), Map.of("nightly", now), Map.of()),
                false);
        assertThat(plan.changes()).hasSize(1);
        Plan.Change c = plan.changes().get(0);
        assertThat(c.fields()).extracting(Plan.Field::name).containsExactly("maxParallel", "windows");
        assertThat(plan.lines().get(0)).startsWith("~ policy nightly (maxParallel: 1 → 2, windows: ");
        // The body replaces the policy: the file over what it has, read-only fields left out.
        assertThat(c.policy().path("priority").asInt()).isEqualTo(100);
        assertThat(c.policy().has("id")).isFalse();
        assertThat(c.policy().has("openNow")).isFalse();
        assertThat(c.policy().path("windows").get(0).path("timeZone").asText()).isEqualTo("UTC");
        assertThat(c.policy().path("windows").get(0).path("start").asText()).isEqualTo("03:00");

        ObjectNode same = json("{\"name\":\"nightly\",\"maxParallel\":\"1\",\"windows\":[{\"days\":[\"MON\"]}]}");
        assertThat(Plan.of(
                                desired(List.of(), List.of(same), List.of()),
                                new Live(Map.of(), Map.of("nightly", now), Map.of()),
                                false)
                        .hasDifferences())
                .as("a field left out matches what the service has")
                .isFalse();
    }

    @Test
    void shouldLabelOnlyTheMachinesWhoseLabelsDiffer() {
        LabelRule rule = new LabelRule("role=web", new java.util.LinkedHashMap<>(Map.of("zone", "a")), "test");
        java.util.Map<String, String> remove = new java.util.LinkedHashMap<>();
        remove.put("legacy", null);
        LabelRule removal = new LabelRule("role=web", remove, "test");
        Live live = new Live(
                Map.of(),
                Map.of(),
                Map.of(
                        "role=web",
                        List.of(
                                new Machine("m1", Map.of("role", "web")),
                                new Machine("m2", Map.of("role", "web", "zone", "b", "legacy", "yes")),
                                new Machine("m3", Map.of("role", "web", "zone", "a")))));
        Plan plan = Plan.of(desired(List.of(), List.of(), List.of(rule, removal)), live, true);
        assertThat(plan.lines())
                .containsExactly(
                        "~ labels role=web: 2 machines (zone: -, b → a)",
                        "~ labels role=web: 1 machine (legacy: yes → -)",
                        "Plan: 0 to add, 2 to change, 0 to delete.");
        assertThat(plan.changes().get(0).machines()).containsOnlyKeys("m1", "m2");
        assertThat(plan.changes().get(0).kind()).isEqualTo(Kind.labels);
        assertThat(plan.changes().get(0).action()).isEqualTo(Action.update);
    }

    @Test
    void shouldRefuseTwoRulesThatGiveOneLabelTwoValues() {
        Live live = new Live(
                Map.of(),
                Map.of(),
                Map.of("role=web", List.of(new Machine("m1", Map.of())), "zone", List.of(new Machine("m1", Map.of()))));
        Plan plan = Plan.of(
                desired(
                        List.of(),
                        List.of(),
                        List.of(
                                new LabelRule("role=web", Map.of("tier", "1"), "a.yaml"),
                                new LabelRule("zone", Map.of("tier", "2"), "b.yaml"))),
                live,
                false);
        assertThat(plan.conflicts()).containsExactly("machine m1: label tier is 1 by a.yaml but 2 by b.yaml");
    }
}
