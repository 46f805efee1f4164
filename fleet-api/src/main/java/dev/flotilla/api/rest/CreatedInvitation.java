package dev.flotilla.api.rest;

/**
 * A new invitation. {@code link} holds its secret and is shown in this response only: send it to
 * the invitee. With Keycloak sign-in, Flotilla creates the invitee's Keycloak user when none has
 * that email address, with a temporary password that Keycloak makes them change at first
 * sign-in; it too is shown here only, and is null when the user already existed.
 */
public record CreatedInvitation(InvitationView invitation, String link, String temporaryPassword) {}
