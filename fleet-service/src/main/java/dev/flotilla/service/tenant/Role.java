package dev.flotilla.service.tenant;

import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a person or token may do. Each role includes those below it: an identity with role
 * {@code admin} also holds {@code operator} and {@code viewer}, so resources name the least role
 * they need.
 */
public enum Role {
    VIEWER,
    OPERATOR,
    ADMIN,
    OWNER;

    /** Role names as used in {@code @RolesAllowed}. */
    public static final String VIEWER_NAME = "viewer";

    public static final String OPERATOR_NAME = "operator";
    public static final String ADMIN_NAME = "admin";
    public static final String OWNER_NAME = "owner";

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** This role and every role it includes. */
    public Set<String> implied() {
        return Arrays.stream(values())
                .filter(r -> r.ordinal() <= ordinal())
                .map(Role::wireName)
                .collect(Collectors.toSet());
    }

    public boolean includes(Role other) {
        return ordinal() >= other.ordinal();
    }

    /** Parses a role name; {@code null} when there is no such role. */
    public static Role parse(String name) {
        if (name == null) {
            return null;
        }
        for (Role r : values()) {
            if (r.wireName().equals(name)) {
                return r;
            }
        }
        return null;
    }
}
