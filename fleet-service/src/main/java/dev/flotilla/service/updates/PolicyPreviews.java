package dev.flotilla.service.updates;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import dev.flotilla.api.rest.NewUpdatePolicy;
import dev.flotilla.api.rest.UpdatePolicyView.OpenPeriod;
import dev.flotilla.api.rest.UpdateWindow;
import dev.flotilla.service.common.TimeService;
import dev.flotilla.service.machine.MachineService;

/**
 * What a policy would do if it were saved, saving nothing: the dashboard's "Preview". It is
 * checked by the same rules as {@link UpdatePolicyService#create} and {@code replace}, so the
 * preview refuses what saving would, with the same words.
 */
@ApplicationScoped
@Transactional(Transactional.TxType.SUPPORTS)
public class PolicyPreviews {

    @Inject
    UpdatePolicyService policies;

    @Inject
    MachineService machines;

    @Inject
    TimeService time;

    /**
     * What the policy would be.
     *
     * @param openings the next openings from now (merged as the calendar merges them; empty: always open)
     * @param timeZone the zone of its first window (UTC without windows), for showing the openings
     * @param machines how many machines the selector matches
     * @param listed the first of them by host name, each with the policy it follows now and would
     *     follow once this one is saved
     */
    public record PolicyPreview(List<OpenPeriod> openings, String timeZone, int machines, List<Match> listed) {}

    /**
     * A machine the selector matches. {@code follows} the policy it follows now, {@code wouldFollow}
     * the one it follows once the previewed policy is saved: a machine follows the first policy by
     * priority, then name, whose selector matches it.
     */
    public record Match(String machineId, String hostname, String follows, String wouldFollow) {
        /** Whether saving moves it from another policy to the previewed one. */
        public boolean moves() {
            return !follows.equals(wouldFollow);
        }
    }

    /**
     * Checks {@code body} as saving would and says what it would do; 400 with the API's reason
     * when it would be refused, 409 when a new policy's name is taken.
     *
     * @param existing the name of the policy being changed, or null for a new one
     */
    public PolicyPreview preview(UUID org, NewUpdatePolicy body, String existing, int openings, int listed) {
        Policy p = UpdatePolicyService.validated(body, existing);
        if (existing == null && policies.find(org, p.name()).isPresent()) {
            throw UpdatePolicyService.nameTaken(p.name());
        }
        if (existing != null) {
            policies.get(org, existing); // 404 before anything else
        }
        List<Policy> now = policies.all(org);
        List<Policy> after = new ArrayList<>(
                now.stream().filter(o -> !o.name().equals(p.name())).toList());
        after.add(p);
        after.sort(Comparator.comparingInt(Policy::priority).thenComparing(Policy::name));
        List<Match> matches = new ArrayList<>();
        var page = machines.list(new MachineService.MachineQuery(org, p.selector(), null, null, null, listed));
        for (var m : page.items()) {
            matches.add(new Match(
                    m.id(),
                    m.hostname(),
                    UpdatePolicyService.forLabels(now, m.labels()).name(),
                    UpdatePolicyService.forLabels(after, m.labels()).name()));
        }
        List<UpdateWindow> windows = p.windows();
        String zone = windows.isEmpty()
                        || windows.get(0).timeZone() == null
                        || windows.get(0).timeZone().isBlank()
                ? "UTC"
                : windows.get(0).timeZone();
        return new PolicyPreview(
                p.schedule().next(time.now(), openings), zone, policies.machines(org, p), List.copyOf(matches));
    }
}
