package dev.flotilla.api.protocol;

import java.time.Instant;

/**
 * A systemd unit as the agent sees it, with systemd's own words for its states.
 *
 * @param name the unit name, e.g. {@code nginx.service}
 * @param load LOAD state: {@code loaded}, {@code not-found}, {@code masked}...
 * @param active ACTIVE state: {@code active}, {@code inactive}, {@code failed}...
 * @param sub SUB state: {@code running}, {@code dead}, {@code exited}...
 * @param description the unit's Description=
 * @param changedAt when the unit last changed state (systemd's StateChangeTimestamp)
 * @param hash SHA-1 of the unit file, as fleet reports it; null when there is no file
 * @param managed whether Flotilla manages this unit
 */
public record UnitState(
        String name,
        String load,
        String active,
        String sub,
        String description,
        Instant changedAt,
        String hash,
        boolean managed) {}
