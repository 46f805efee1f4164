package dev.flotilla.service.web;

import java.net.URI;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.RestForm;

import dev.flotilla.api.rest.NewUpdatePolicy;
import dev.flotilla.api.rest.UpdatePolicyView;
import dev.flotilla.api.rest.UpdatePolicyView.OpenPeriod;
import dev.flotilla.service.common.ProblemException;
import dev.flotilla.service.tenant.Actor;
import dev.flotilla.service.updates.PolicyPreviews;
import dev.flotilla.service.updates.UpdatePolicyService;

/**
 * What the update policy form does when posted, by the button pressed ({@code intent}):
 * "add" shows the form again with another empty window row and "remove:N" without row N
 * (nothing checked, nothing saved: the editor works without JavaScript); "preview" checks it as
 * saving would and shows the next openings and the machines it would take, saving nothing;
 * "save" creates or replaces it through the API's service methods. A refusal shows the form again
 * with what was typed and the service's reason beside the field.
 */
@ApplicationScoped
class PolicyFormPosts {
    /** Openings and machines a preview shows. */
    static final int OPENINGS = 10;

    static final int LISTED = 20;

    /** The time zone ids a window's zone is picked from (any of them may also be typed). */
    static final List<String> ZONES = zones();

    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("EEE d MMM HH:mm");

    @Inject
    UpdatePolicyService policies;

    @Inject
    PolicyPreviews previews;

    @Inject
    Actor actor;

    /** The form's fields as posted. */
    public static class Fields {
        @RestForm
        public String name;

        @RestForm
        public String selector;

        @RestForm
        public String priority;

        @RestForm
        public List<String> kind;

        @RestForm
        public List<String> day;

        @RestForm
        public List<String> start;

        @RestForm
        public List<String> cron;

        @RestForm
        public List<String> length;

        @RestForm
        public List<String> zone;

        @RestForm
        public String maxParallel;

        @RestForm
        public String maxPerPeriod;

        @RestForm
        public String period;

        @RestForm
        public String updateTimeout;

        @RestForm
        public boolean safeMode;

        @RestForm
        public String safeModeFailures;

        @RestForm
        public boolean paused;

        @RestForm
        public String intent;

        /** The form as typed; editing, its name and paused state are the stored policy's. */
        PolicyForm form(boolean existing, UpdatePolicyView stored) {
            return new PolicyForm(
                    existing,
                    existing ? stored.name() : text(name),
                    text(selector),
                    text(priority),
                    PolicyForm.rows(kind, start, cron, length, zone, day),
                    text(maxParallel),
                    text(maxPerPeriod),
                    text(period),
                    text(updateTimeout),
                    safeMode,
                    text(safeModeFailures),
                    existing ? stored.paused() : paused,
                    null,
                    null,
                    null);
        }

        private static String text(String s) {
            return s == null ? "" : s;
        }
    }

    /** @param existing the name of the policy being edited, or null for a new one */
    Response submit(PolicyForm form, String intent, String existing) {
        String i = intent == null ? "preview" : intent;
        if (i.equals("add")) {
            return Response.ok(page(form.canAddWindow() ? form.withAnotherRow() : form))
                    .build();
        }
        if (i.startsWith("remove:")) {
            try {
                return Response.ok(page(form.without(Integer.parseInt(i.substring("remove:".length())))))
                        .build();
            } catch (NumberFormatException e) {
                throw ProblemException.badRequest("unknown button " + i);
            }
        }
        UUID org = actor.orgId();
        try {
            NewUpdatePolicy body = form.toRequest();
            if (i.equals("save")) {
                UpdatePolicyView saved = existing == null
                        ? policies.create(org, body, actor.name())
                        : policies.replace(org, existing, body, actor.name());
                return Response.seeOther(URI.create("/updates/" + saved.name())).build();
            }
            PolicyPreviews.PolicyPreview p = previews.preview(org, body, existing, OPENINGS, LISTED);
            return Response.ok(page(form.previewed(shown(p)))).build();
        } catch (ProblemException e) {
            if (e.status() == 404) {
                throw e;
            }
            return Response.status(e.status()).entity(page(form.refused(e))).build();
        }
    }

    private static io.quarkus.qute.TemplateInstance page(PolicyForm form) {
        return UpdatePages.Templates.policyForm(form, ZONES);
    }

    static PolicyForm.Preview shown(PolicyPreviews.PolicyPreview p) {
        ZoneId zone = p.timeZone().equals("UTC") ? ZoneOffset.UTC : ZoneId.of(p.timeZone());
        List<PolicyForm.Opening> openings = new ArrayList<>();
        for (OpenPeriod o : p.openings()) {
            openings.add(new PolicyForm.Opening(
                    at(o.from(), zone), at(o.to(), zone), at(o.from(), ZoneOffset.UTC), at(o.to(), ZoneOffset.UTC)));
        }
        long moving = p.listed().stream().filter(PolicyPreviews.Match::moves).count();
        return new PolicyForm.Preview(p.timeZone(), openings, p.machines(), p.listed(), moving);
    }

    private static String at(Instant t, ZoneId zone) {
        return WHEN.format(t.atZone(zone));
    }

    private static List<String> zones() {
        TreeSet<String> ids = new TreeSet<>(ZoneId.getAvailableZoneIds());
        ids.removeIf(z -> !z.contains("/") || z.startsWith("Etc/") || z.startsWith("SystemV/"));
        List<String> out = new ArrayList<>();
        out.add("UTC");
        out.addAll(ids);
        return List.copyOf(out);
    }
}
