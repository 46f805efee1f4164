package dev.flotilla.service.desired;

/** Desired-state changes may have been missed: resend every connected agent its desired state. */
public record DesiredStateResync() {}
