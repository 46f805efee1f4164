package dev.flotilla.api.rest;

/**
 * A unit to create or replace.
 *
 * @param content the unit file, with an optional {@code [X-Fleet]} section; may be left out for an
 *     instance ({@code foo@1.service}) whose template ({@code foo@.service}) exists
 * @param target {@code inactive}, {@code loaded} or {@code launched} (default {@code launched})
 */
public record NewUnit(String content, String target) {}
