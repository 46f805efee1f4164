package dev.flotilla.api.rest;

/** A member's new role. Only an owner may make or unmake an owner. */
public record MemberChange(String role) {}
