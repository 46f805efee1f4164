package dev.flotilla.service.common;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;

/** Values read by native queries, whose Java types depend on the driver and Hibernate. */
public final class SqlValues {
    private SqlValues() {}

    /** A {@code timestamptz} column as an {@link Instant}, or {@code null}. */
    public static Instant instant(Object v) {
        if (v == null) {
            return null;
        }
        if (v instanceof Instant i) {
            return i;
        }
        if (v instanceof Timestamp t) {
            return t.toInstant();
        }
        if (v instanceof OffsetDateTime o) {
            return o.toInstant();
        }
        throw new IllegalStateException("not a time: " + v.getClass());
    }
}
