package dev.flotilla.api.rest;

/** The secret from an invitation link ({@code .../invitations/<secret>}). */
public record AcceptInvitation(String secret) {}
