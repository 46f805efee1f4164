package dev.flotilla.api.rest;

import java.time.Instant;

/**
 * A unit as Flotilla schedules it.
 *
 * @param name the unit name
 * @param target its target state: {@code inactive}, {@code loaded} or {@code launched}
 * @param global whether it runs on every matching machine
 * @param hash SHA-1 of its unit file
 * @param machineId for a unit that is not global: the machine it is scheduled to, or null
 * @param placed how many machines are to run it now
 * @param active how many of those report it {@code active}
 * @param failed how many report it {@code failed}
 * @param content the unit file (only when one unit is asked for)
 */
public record UnitView(
        String name,
        String target,
        boolean global,
        String hash,
        String machineId,
        int placed,
        int active,
        int failed,
        String content,
        Instant updatedAt,
        String updatedBy) {}
