package dev.flotilla.api.rest;

/**
 * @param content the unit file
 * @param target {@code loaded} or {@code launched} (default {@code launched})
 */
public record NewDesiredUnit(String content, String target) {}
