package dev.flotilla.api.rest;

/**
 * A new invitation. {@code link} holds its secret and is shown in this response only: send it to
 * the invitee. With Keycloak sign-in, Flotilla creates the invitee's Keycloak user when none has
 * that email address, and Keycloak emails them a link to verify the address and choose their
 * password; no password is ever shown to the inviter.
 *
 * @param invitation the invitation as listed
 * @param link the link that accepts it, with its secret
 */
public record CreatedInvitation(InvitationView invitation, String link) {}
