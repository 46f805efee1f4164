package dev.flotilla.service.web;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import dev.flotilla.api.rest.MachineView;
import dev.flotilla.api.selector.LabelSelector;
import dev.flotilla.api.selector.Labels;
import dev.flotilla.api.selector.SelectorSyntaxException;
import dev.flotilla.service.common.ProblemException;
import dev.flotilla.service.machine.MachineService;
import dev.flotilla.service.machine.Presence;
import dev.flotilla.service.tenant.Actor;
import dev.flotilla.service.tenant.Role;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

/**
 * A label set or removed on every machine the machines list's filter matches: a confirmation page
 * that counts them and previews the first few, then one change of them all ({@link
 * MachineService#changeLabelsWhere}, at most {@link #MAX_MACHINES}).
 */
@Path("/")
@Produces(MediaType.TEXT_HTML)
@RolesAllowed(Role.OPERATOR_NAME)
public class BulkLabelsPage {
    /**
     * The most machines one bulk change touches: one transaction of this many rows stays short
     * (seconds), and a bigger fleet is changed by narrower filters or through the API.
     */
    public static final int MAX_MACHINES = 10_000;

    /** How many of the matched machines the confirmation page previews. */
    static final int PREVIEWED = 20;

    @CheckedTemplate(basePath = "machines")
    static class Templates {
        static native TemplateInstance bulk(BulkForm form, long count, List<Row> preview, int max);
    }

    /**
     * The filter (the selection) and the change as typed: {@code op} is {@code set} or {@code
     * remove}; {@code field} names the input an error belongs to ({@code filter}, {@code key},
     * {@code value}, or null for the form).
     */
    public record BulkForm(
            String selector,
            String presence,
            String q,
            String op,
            String key,
            String value,
            String field,
            String error) {
        public String errorOf(String which) {
            return which.equals(field) ? error : null;
        }

        public boolean removing() {
            return "remove".equals(op);
        }

        /** The machines list with this filter. */
        public String listUrl() {
            return new MachineFilter(selector, presence, q, null, null)
                    .pagerBase()
                    .replaceAll("[?&]$", "");
        }

        BulkForm failing(String field, String error) {
            return new BulkForm(selector, presence, q, op, key, value, field, error);
        }
    }

    /** One previewed machine: the label before and after, and its update policy before and after. */
    public record Row(MachineView machine, String before, String after, String policyBefore, String policyAfter) {}

    @Inject
    MachineService machines;

    @Inject
    dev.flotilla.service.updates.MachineUpdateService updates;

    @Inject
    Actor actor;

    @GET
    @Path("machines/bulk")
    public Response confirm(
            @QueryParam("selector") String selector,
            @QueryParam("presence") String presence,
            @QueryParam("q") String q,
            @QueryParam("op") String op,
            @QueryParam("key") String key,
            @QueryParam("value") String value) {
        BulkForm form = new BulkForm(selector, presence, q, op, trim(key), trim(value), null, null);
        try {
            MachineService.MachineQuery query = query(form, null, PREVIEWED);
            Map<String, String> change = change(form);
            long count = machines.count(query);
            if (count > MAX_MACHINES) {
                form = form.failing(
                        "filter",
                        count + " machines match; a bulk change touches at most " + MAX_MACHINES
                                + ": narrow the filter");
                return Response.status(400)
                        .entity(Templates.bulk(form, count, List.of(), MAX_MACHINES))
                        .build();
            }
            return Response.ok(Templates.bulk(form, count, preview(query, change, form.key()), MAX_MACHINES))
                    .build();
        } catch (Refused r) {
            return Response.status(400)
                    .entity(Templates.bulk(form.failing(r.field, r.getMessage()), 0, List.of(), MAX_MACHINES))
                    .build();
        }
    }

    @POST
    @Path("machines/bulk")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response apply(
            @FormParam("selector") String selector,
            @FormParam("presence") String presence,
            @FormParam("q") String q,
            @FormParam("op") String op,
            @FormParam("key") String key,
            @FormParam("value") String value) {
        BulkForm form = new BulkForm(selector, presence, q, op, trim(key), trim(value), null, null);
        try {
            MachineService.MachineQuery query = query(form, null, PREVIEWED);
            int changed = machines.changeLabelsWhere(query, change(form), actor.name(), MAX_MACHINES);
            return Response.seeOther(URI.create(Query.of("/machines")
                            .add("selector", selector)
                            .add("presence", presence)
                            .add("q", q)
                            .add("changed", Integer.toString(changed))
                            .base()
                            .replaceAll("&$", "")))
                    .build();
        } catch (Refused r) {
            return Response.status(400)
                    .entity(Templates.bulk(form.failing(r.field, r.getMessage()), 0, List.of(), MAX_MACHINES))
                    .build();
        } catch (ProblemException e) {
            long count = machines.count(query(form, null, PREVIEWED));
            return Response.status(e.status())
                    .entity(Templates.bulk(form.failing(null, e.getMessage()), count, List.of(), MAX_MACHINES))
                    .build();
        }
    }

    /** A form's input refused, with the field it belongs to. */
    private static final class Refused extends RuntimeException {
        final String field;

        Refused(String field, String message) {
            super(message, null, false, false);
            this.field = field;
        }
    }

    private MachineService.MachineQuery query(BulkForm f, String cursor, int limit) {
        try {
            return new MachineService.MachineQuery(
                    actor.orgId(),
                    LabelSelector.parse(f.selector()),
                    Presence.fromQuery(f.presence()),
                    f.q(),
                    cursor,
                    limit);
        } catch (SelectorSyntaxException e) {
            throw new Refused("filter", "invalid label selector: " + e.getMessage());
        } catch (ProblemException e) {
            throw new Refused("filter", e.getMessage());
        }
    }

    /** The change as the service takes it (a null value removes), checked by the API's rules. */
    private static Map<String, String> change(BulkForm f) {
        if (!"set".equals(f.op()) && !"remove".equals(f.op())) {
            throw new Refused("op", "choose to set or to remove a label");
        }
        if (!Labels.isValidKey(f.key())) {
            throw new Refused("key", "invalid label key '" + f.key() + "'");
        }
        Map<String, String> change = new HashMap<>();
        if (f.removing()) {
            change.put(f.key(), null);
        } else if (!Labels.isValidValue(f.value())) {
            throw new Refused("value", "invalid value '" + f.value() + "' for label '" + f.key() + "'");
        } else {
            change.put(f.key(), f.value());
        }
        return change;
    }

    private List<Row> preview(MachineService.MachineQuery query, Map<String, String> change, String key) {
        List<MachineView> first = machines.list(query).items();
        List<Map<String, String>> labelSets = new ArrayList<>();
        for (MachineView m : first) {
            Map<String, String> after = new LinkedHashMap<>(m.labels());
            String v = change.get(key);
            if (v == null) {
                // Removing an override shows the agent's own value again.
                String agent = m.agentLabels().get(key);
                if (agent == null) {
                    after.remove(key);
                } else {
                    after.put(key, agent);
                }
            } else {
                after.put(key, v);
            }
            labelSets.add(m.labels());
            labelSets.add(after);
        }
        List<String> policies = updates.policiesFor(actor.orgId(), labelSets);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < first.size(); i++) {
            MachineView m = first.get(i);
            rows.add(new Row(
                    m,
                    m.labels().get(key),
                    labelSets.get(2 * i + 1).get(key),
                    policies.get(2 * i),
                    policies.get(2 * i + 1)));
        }
        return rows;
    }

    private static String trim(String s) {
        return s == null ? "" : s.strip();
    }
}
