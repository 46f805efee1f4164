package dev.flotilla.service.machine;

import java.util.UUID;

/** A machine named by its organization and id. */
public record MachineRef(UUID orgId, String machineId) {
    /** As a notification's payload: {@code <org id>:<machine id>}. */
    public String payload() {
        return orgId + ":" + machineId;
    }

    /** The machine a payload of {@link #payload()} names, or null when it names none. */
    public static MachineRef parse(String payload) {
        int colon = payload == null ? -1 : payload.indexOf(':');
        if (colon < 0) {
            return null;
        }
        try {
            return new MachineRef(UUID.fromString(payload.substring(0, colon)), payload.substring(colon + 1));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
