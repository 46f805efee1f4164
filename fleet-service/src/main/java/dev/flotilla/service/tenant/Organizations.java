package dev.flotilla.service.tenant;

import java.util.UUID;

/**
 * The organization the first migration makes: the first start's admin owns it (a self-hosted
 * Flotilla may never need another). Others are made through {@code POST /api/v1/orgs}.
 */
public final class Organizations {
    /** The organization created by the first migration. */
    public static final UUID DEFAULT = UUID.fromString("00000000-0000-0000-0000-000000000001");

    private Organizations() {}
}
