package dev.flotilla.api.rest;

/**
 * One way to install the agent, with the service's URL and an enrollment token filled in.
 *
 * @param way deb, rpm, fcos, flatcar, container or jar
 * @param title what it is for, in words
 * @param text what to run (a shell snippet) or, for fcos and flatcar, a Butane config to provision with
 */
public record InstallCommand(String way, String title, String text) {}
