package dev.flotilla.api.rest;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The bodies of fleet's own API, {@code /fleet/v1}, with fleet's field names (coreos/fleet
 * schema/v1-gen.go): empty fields are left out, as fleet's {@code omitempty} did.
 */
public final class FleetV1 {
    private FleetV1() {}

    /** One line of a unit file. */
    public record UnitOption(String section, String name, String value) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Unit(
            String name, List<UnitOption> options, String desiredState, String currentState, String machineID) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record UnitPage(List<Unit> units, String nextPageToken) {}

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Machine(String id, String primaryIP, Map<String, String> metadata) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record MachinePage(List<Machine> machines, String nextPageToken) {}

    /** fleet's error body: {@code {"error":{"code":400,"message":"..."}}}. */
    public record Error(ErrorBody error) {
        public record ErrorBody(int code, String message) {}
    }
}
