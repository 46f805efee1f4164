/** Systemd units as Flotilla handles them: names, and (later) unit files and their [X-Fleet] section. */
package dev.flotilla.api.unit;
