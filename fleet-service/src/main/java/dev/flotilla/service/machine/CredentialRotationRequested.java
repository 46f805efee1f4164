package dev.flotilla.service.machine;

/** Heard on every replica (after commit) when an admin asks for a machine's new credential. */
public record CredentialRotationRequested(MachineRef machine) {}
