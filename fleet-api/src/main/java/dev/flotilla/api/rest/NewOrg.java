package dev.flotilla.api.rest;

/**
 * A new organization; its creator becomes its first owner.
 *
 * @param slug lower-case letters, digits and dashes, 1-63 characters, unique across Flotilla
 */
public record NewOrg(String slug, String name) {}
