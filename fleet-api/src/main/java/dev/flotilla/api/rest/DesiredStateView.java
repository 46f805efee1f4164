package dev.flotilla.api.rest;

import java.util.List;

/**
 * A machine's desired state and how far it got.
 *
 * @param generation the current generation of what the machine must run
 * @param appliedGeneration the last generation the agent reported applying
 * @param converged whether the agent applied the current generation and every unit reached its target
 */
public record DesiredStateView(
        long generation, long appliedGeneration, boolean converged, List<DesiredUnitView> units) {}
