package dev.flotilla.service.web;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.jboss.resteasy.reactive.RestStreamElementType;

import dev.flotilla.service.common.TimeService;
import dev.flotilla.service.overview.Overview;
import dev.flotilla.service.overview.OverviewService;
import dev.flotilla.service.overview.PresenceRollup;
import dev.flotilla.service.tenant.Actor;
import dev.flotilla.service.tenant.Role;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.smallrye.mutiny.Multi;

/**
 * The overview at {@code /} (served through {@link DashboardResource#home}) and its live counts
 * over SSE: the fleet at a glance, every number a link to the list behind it.
 */
@Path("/live/overview")
public class OverviewPages {

    /** This group's page: templates/overview/ in the web-ui module. */
    @CheckedTemplate(basePath = "overview")
    static class Templates {
        /** {@code day} and {@code week}: the presence charts, rendered HTML. */
        static native TemplateInstance overview(Overview o, String day, String week, int shown);
    }

    @Inject
    OverviewService overview;

    @Inject
    OverviewLive live;

    @Inject
    TimeService time;

    @Inject
    Actor actor;

    @Inject
    dev.flotilla.service.tenant.Concurrency concurrency;

    @Inject
    dev.flotilla.service.tenant.LimitsConfig limits;

    @Inject
    dev.flotilla.service.org.OrgService orgs;

    TemplateInstance page(UUID org) {
        Overview o = overview.overview(org);
        Instant now = time.now();
        return Templates.overview(
                o,
                chart(
                        "day",
                        "Machines by presence, last 24 hours",
                        o.day(),
                        now,
                        Duration.ofHours(24),
                        PresenceRollup.BUCKET,
                        SvgChart.HOURS),
                chart(
                        "week",
                        "Machines by presence, last 7 days (hourly averages)",
                        o.week(),
                        now,
                        Duration.ofDays(7),
                        Duration.ofHours(1),
                        SvgChart.DAYS),
                OverviewService.SHOWN);
    }

    static String chart(
            String id,
            String title,
            List<Overview.Bucket> buckets,
            Instant now,
            Duration span,
            Duration step,
            DateTimeFormatter format) {
        return SvgChart.render(new SvgChart.Chart(
                id,
                title,
                now.minus(span),
                now,
                step,
                buckets.stream().map(Overview.Bucket::at).toList(),
                List.of(
                        new SvgChart.Series(
                                "online",
                                buckets.stream().map(Overview.Bucket::online).toList()),
                        new SvgChart.Series(
                                "offline",
                                buckets.stream().map(Overview.Bucket::offline).toList()),
                        new SvgChart.Series(
                                "lost",
                                buckets.stream().map(Overview.Bucket::lost).toList())),
                format));
    }

    /** The overview's counts as they change (machines by presence, machines waiting for an update). */
    @GET
    @RolesAllowed(Role.VIEWER_NAME)
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    public Multi<Map<String, Integer>> stream() {
        UUID org = actor.orgId();
        return LivePoll.held(
                LivePoll.changes(() -> live.counts(org), LivePoll.stillMember(actor, orgs)),
                concurrency,
                limits,
                actor);
    }
}
