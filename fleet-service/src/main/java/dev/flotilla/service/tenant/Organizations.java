package dev.flotilla.service.tenant;

import java.util.UUID;

/** Organizations (tenants). One exists until tenancy proper lands (issue 7). */
public final class Organizations {
    /** The organization created by the first migration. */
    public static final UUID DEFAULT = UUID.fromString("00000000-0000-0000-0000-000000000001");

    private Organizations() {}
}
