package dev.flotilla.api.rest;

/** A change of a unit's target state: {@code inactive}, {@code loaded} or {@code launched}. */
public record UnitTarget(String target) {}
