package dev.flotilla.api.rest;

/**
 * Body of {@code PUT /api/v1/machines/{id}/update/paused}: pause or resume one machine's updates.
 *
 * @param paused true to pause, false to resume
 */
public record MachinePause(Boolean paused) {}
