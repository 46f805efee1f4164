package dev.flotilla.api.rest;

/**
 * A unit to create or replace.
 *
 * @param content the unit file, with an optional {@code [X-Fleet]} section; may be left out for an
 *     instance ({@code foo@1.service}) whose template ({@code foo@.service}) exists
 * @param target {@code inactive}, {@code loaded} or {@code launched} (default {@code launched})
 * @param rollout for a global unit whose file changes: how the new file reaches its machines (in
 *     batches, each gated on health); left out, the defaults of {@link RolloutPolicy}
 */
public record NewUnit(String content, String target, RolloutPolicy rollout) {
    public NewUnit(String content, String target) {
        this(content, target, null);
    }
}
