package dev.flotilla.service.web;

import java.util.List;

import dev.flotilla.api.rest.ContainerView;
import dev.flotilla.api.rest.FleetUnitView;
import dev.flotilla.api.rest.MachineEventView;
import dev.flotilla.api.rest.MachineView;
import dev.flotilla.api.rest.Page;
import dev.flotilla.api.rest.UnitView;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

/** The dashboard's pages; the templates live in the web-ui module under templates/Pages/. */
@CheckedTemplate(basePath = "Pages")
public class Pages {
    public static native TemplateInstance login(boolean failed);

    public static native TemplateInstance machines(
            String user, MachineFilter filter, Page<MachineView> page, List<String> presences);

    public static native TemplateInstance machine(
            String user,
            MachineView machine,
            Page<MachineEventView> events,
            Page<UnitView> units,
            Page<ContainerView> containers,
            dev.flotilla.api.rest.MachineUpdateView update);

    public static native TemplateInstance units(String user, Page<FleetUnitView> page, boolean canOperate);

    /** A unit's page; {@code rollout} is its latest rollout, or null; {@code notice} what was just done. */
    public static native TemplateInstance unit(
            String user,
            FleetUnitView unit,
            List<String> options,
            UnitLive.Snapshot live,
            dev.flotilla.api.rest.RolloutView rollout,
            boolean canOperate,
            String notice);

    public static native TemplateInstance unitForm(String user, UnitPages.UnitForm form);

    /** Asks before start, stop, load, unload or destroy; {@code error} why it was refused, or null. */
    public static native TemplateInstance confirm(String user, FleetUnitView unit, String action, String error);

    /**
     * The update policies; for admins also the FleetLock base URLs ({@code fleetLock}, null for
     * others) and a URL just created, shown once ({@code createdUrl}, or null).
     */
    public static native TemplateInstance updates(
            String user,
            dev.flotilla.api.rest.UpdatePolicyView fallback,
            Page<dev.flotilla.api.rest.UpdatePolicyView> page,
            List<dev.flotilla.service.updates.FleetLockService.SecretView> fleetLock,
            String createdUrl);

    /** Asks before cancelling a policy's rollout. */
    public static native TemplateInstance cancelRollout(String user, dev.flotilla.api.rest.UpdatePolicyView policy);

    /** Asks before revoking a FleetLock base URL. */
    public static native TemplateInstance revokeFleetLock(String user, String id);

    /** One update policy: {@code calendar} the next days hour by hour in {@code zone}. */
    public static native TemplateInstance updatePolicy(
            String user,
            dev.flotilla.api.rest.UpdatePolicyView policy,
            List<UpdatePages.Day> calendar,
            String zone,
            Page<dev.flotilla.api.rest.UpdateLeaseView> leases,
            Page<dev.flotilla.api.rest.MachineUpdateView> machines,
            boolean canOperate);

    /** The filters of the machines page, echoed back into its form. */
    public static native TemplateInstance orgNew(String user, String slug, String name, String error);

    public static native TemplateInstance members(
            String user,
            List<dev.flotilla.api.rest.MemberView> members,
            List<dev.flotilla.api.rest.InvitationView> invitations,
            dev.flotilla.api.rest.CreatedInvitation created,
            String error,
            boolean owner);

    public static native TemplateInstance removeMember(String user, dev.flotilla.api.rest.MemberView member);

    public static native TemplateInstance tokens(
            String user,
            List<dev.flotilla.api.rest.ApiTokenView> tokens,
            dev.flotilla.api.rest.CreatedApiToken created,
            String error);

    public static native TemplateInstance revokeToken(String user, dev.flotilla.api.rest.ApiTokenView token);

    public static native TemplateInstance audit(
            String user,
            Page<dev.flotilla.api.rest.AuditEventView> page,
            dev.flotilla.service.audit.AuditLog.Filter filter,
            String error);

    public static native TemplateInstance invitation(
            String user,
            String secret,
            dev.flotilla.service.auth.InvitationService.Offer offer,
            boolean localSignup,
            String error);

    public record MachineFilter(String selector, String presence, String q, String error) {
        public String nextQuery(String cursor) {
            StringBuilder sb = new StringBuilder("?cursor=").append(enc(cursor));
            if (selector != null && !selector.isBlank()) {
                sb.append("&selector=").append(enc(selector));
            }
            if (presence != null && !presence.isBlank()) {
                sb.append("&presence=").append(enc(presence));
            }
            if (q != null && !q.isBlank()) {
                sb.append("&q=").append(enc(q));
            }
            return sb.toString();
        }

        private static String enc(String s) {
            return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
        }
    }
}
