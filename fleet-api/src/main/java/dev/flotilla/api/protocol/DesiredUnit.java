package dev.flotilla.api.protocol;

/**
 * A unit the service wants on a machine.
 *
 * @param name the unit name; the file goes to /etc/systemd/system/NAME and nowhere else
 * @param content the unit file
 * @param target fleet's target state: {@code loaded} (file in place, systemd knows it, not
 *     running) or {@code launched} (running); a unit that should be {@code inactive} is simply
 *     not in the desired state, and the agent removes it
 */
public record DesiredUnit(String name, String content, String target) {
    public static final String LOADED = "loaded";
    public static final String LAUNCHED = "launched";
}
