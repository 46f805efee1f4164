package dev.flotilla.service.web;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import dev.flotilla.api.rest.MachineView;
import dev.flotilla.api.selector.Labels;
import dev.flotilla.service.common.ProblemException;
import dev.flotilla.service.machine.MachineService;
import dev.flotilla.service.tenant.Actor;
import dev.flotilla.service.tenant.Role;
import dev.flotilla.service.units.UnitService;
import dev.flotilla.service.updates.MachineUpdateService;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

/**
 * Changing one machine from the dashboard: its labels (with a preview of what the change does to
 * its update policy and global units, before anything is saved) and removing it. The same service
 * calls, roles and checks as the API's {@code /api/v1/machines/{id}/labels} and {@code DELETE}.
 */
@Path("/")
@Produces(MediaType.TEXT_HTML)
public class MachinePages {

    /** This group's pages: templates/machines/ in the web-ui module. */
    @CheckedTemplate(basePath = "machines")
    static class Templates {
        static native TemplateInstance labels(MachineView machine, List<LabelRow> rows, String error, Preview preview);

        static native TemplateInstance remove(MachineView machine);
    }

    /**
     * One row of the label form: a label the machine has ({@code existing}), or the blank row for a
     * new one; {@code removable} is false for a label only the agent's configuration sets.
     */
    public record LabelRow(
            int index,
            String key,
            String value,
            boolean existing,
            boolean fromAgent,
            boolean removable,
            boolean remove,
            String keyError,
            String valueError) {}

    /** One label before and after a change (null: absent). */
    public record Change(String key, String before, String after) {}

    /**
     * What a label change does: the labels that change, the update policy before and after, and
     * the global units the machine gains and loses.
     */
    public record Preview(
            List<Change> changes,
            String policyBefore,
            String policyAfter,
            SortedSet<String> gained,
            SortedSet<String> lost) {
        public boolean policyChanges() {
            return !policyBefore.equals(policyAfter);
        }
    }

    @Inject
    MachineService machines;

    @Inject
    UnitService units;

    @Inject
    MachineUpdateService updates;

    @Inject
    Actor actor;

    @GET
    @Path("machines/{id}/labels")
    @RolesAllowed(Role.OPERATOR_NAME)
    public TemplateInstance labels(@PathParam("id") String id) {
        MachineView m = machines.get(actor.orgId(), id);
        List<LabelRow> rows = new ArrayList<>();
        for (Map.Entry<String, String> e : m.labels().entrySet()) {
            rows.add(existing(m, rows.size(), e.getKey(), e.getValue(), false, null));
        }
        rows.add(new LabelRow(rows.size(), "", "", false, false, true, false, null, null));
        return Templates.labels(m, rows, null, null);
    }

    /** Rows a posted label form may have (a machine has at most 64 labels; more are explained up to this). */
    static final int MAX_ROWS = 4 * dev.flotilla.api.selector.Labels.MAX_LABELS;

    private static LabelRow existing(MachineView m, int i, String key, String value, boolean remove, String error) {
        String agent = m.agentLabels().get(key);
        // An agent's label can only be overridden; the override (another value) can be removed.
        boolean removable = agent == null || !agent.equals(m.labels().get(key));
        return new LabelRow(i, key, value, true, agent != null, removable, remove, null, error);
    }

    /**
     * The label form: {@code intent=preview} shows what the change would do and saves nothing;
     * {@code intent=save} saves it. Rows are {@code key}/{@code value} pairs in order; {@code
     * remove} names the keys to remove.
     */
    @POST
    @Path("machines/{id}/labels")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @RolesAllowed(Role.OPERATOR_NAME)
    public Response changeLabels(
            @PathParam("id") String id,
            @FormParam("key") List<String> keys,
            @FormParam("value") List<String> values,
            @FormParam("remove") List<String> removals,
            @FormParam("intent") String intent) {
        MachineView m = machines.get(actor.orgId(), id);
        java.util.Set<String> remove = removals == null ? java.util.Set.of() : new java.util.HashSet<>(removals);
        List<LabelRow> rows = new ArrayList<>();
        Map<String, String> changes = new LinkedHashMap<>();
        boolean bad = false;
        int n = Math.max(keys == null ? 0 : keys.size(), values == null ? 0 : values.size());
        if (n > MAX_ROWS) {
            // far more rows than the form ever has: refused before any work, not rendered back
            throw ProblemException.badRequest(
                    "at most " + dev.flotilla.api.selector.Labels.MAX_LABELS + " labels; this form has " + n + " rows");
        }
        for (int i = 0; i < n; i++) {
            String key = at(keys, i).strip();
            String value = at(values, i).strip();
            boolean existing = m.labels().containsKey(key);
            if (existing) {
                String error =
                        Labels.isValidValue(value) ? null : "invalid value '" + value + "' for label '" + key + "'";
                bad |= error != null;
                rows.add(existing(m, i, key, value, remove.contains(key), error));
                if (remove.contains(key)) {
                    changes.put(key, null);
                } else if (error == null && !value.equals(m.labels().get(key))) {
                    changes.put(key, value);
                }
                continue;
            }
            String keyError = null;
            String valueError = null;
            if (key.isEmpty()) {
                keyError = value.isEmpty() ? null : "a key is required for the value '" + value + "'";
            } else if (!Labels.isValidKey(key)) {
                keyError = "invalid label key '" + key + "'";
            } else if (changes.containsKey(key)) {
                keyError = "label '" + key + "' is given twice";
            }
            if (!Labels.isValidValue(value)) {
                valueError = "invalid value '" + value + "' for label '" + key + "'";
            }
            bad |= keyError != null || valueError != null;
            rows.add(new LabelRow(i, key, value, false, false, true, false, keyError, valueError));
            if (!key.isEmpty() && keyError == null && valueError == null) {
                changes.put(key, value);
            }
        }
        if (rows.stream().allMatch(LabelRow::existing)) {
            rows.add(new LabelRow(rows.size(), "", "", false, false, true, false, null, null));
        }
        if (bad) {
            return page(400, m, rows, "Some labels are not valid: see beside them.", null);
        }
        if (changes.isEmpty()) {
            return page(400, m, rows, "Nothing to change: change a value, add a label or tick one to remove.", null);
        }
        try {
            MachineService.LabelPreview previewed = machines.previewLabels(actor.orgId(), id, changes);
            if ("save".equals(intent)) {
                machines.changeLabels(actor.orgId(), id, changes, actor.name());
                return Response.seeOther(URI.create("/machines/" + m.id())).build();
            }
            return page(200, m, rows, null, preview(m, previewed.after()));
        } catch (ProblemException e) {
            return page(e.status(), m, rows, e.getMessage(), null);
        }
    }

    private static String at(List<String> list, int i) {
        return list == null || i >= list.size() || list.get(i) == null ? "" : list.get(i);
    }

    private static Response page(int status, MachineView m, List<LabelRow> rows, String error, Preview preview) {
        return Response.status(status)
                .entity(Templates.labels(m, rows, error, preview))
                .build();
    }

    /** What changing {@code m}'s labels to {@code after} does. */
    Preview preview(MachineView m, Map<String, String> after) {
        Map<String, String> before = m.labels();
        TreeSet<String> keys = new TreeSet<>(before.keySet());
        keys.addAll(after.keySet());
        List<Change> changes = keys.stream()
                .filter(k -> !Objects.equals(before.get(k), after.get(k)))
                .map(k -> new Change(k, before.get(k), after.get(k)))
                .toList();
        List<String> policies = updates.policiesFor(actor.orgId(), List.of(before, after));
        SortedSet<String> was = units.globalUnitsFor(actor.orgId(), m.id(), before);
        SortedSet<String> will = units.globalUnitsFor(actor.orgId(), m.id(), after);
        SortedSet<String> gained = new TreeSet<>(will);
        gained.removeAll(was);
        SortedSet<String> lost = new TreeSet<>(was);
        lost.removeAll(will);
        return new Preview(changes, policies.get(0), policies.get(1), gained, lost);
    }

    @GET
    @Path("machines/{id}/remove")
    @RolesAllowed(Role.ADMIN_NAME)
    public TemplateInstance confirmRemove(@PathParam("id") String id) {
        return Templates.remove(machines.get(actor.orgId(), id));
    }

    @POST
    @Path("machines/{id}/remove")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @RolesAllowed(Role.ADMIN_NAME)
    public Response remove(@PathParam("id") String id) {
        machines.remove(actor.orgId(), id, actor.name());
        return Response.seeOther(URI.create("/machines")).build();
    }
}
