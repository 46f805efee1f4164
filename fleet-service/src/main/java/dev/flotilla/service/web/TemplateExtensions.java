package dev.flotilla.service.web;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import dev.flotilla.api.protocol.Facts;
import dev.flotilla.api.rest.MachineView;
import io.quarkus.qute.TemplateExtension;

/** Small formatting helpers for the dashboard's templates. */
@TemplateExtension
public class TemplateExtensions {
    private static final DateTimeFormatter WHEN =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

    static String shortId(MachineView m) {
        return m.id().substring(0, Math.min(12, m.id().length()));
    }

    static String memory(Facts f) {
        double gib = f.memoryBytes() / (1024.0 * 1024 * 1024);
        return gib >= 1 ? String.format("%.1f GiB", gib) : String.format("%d MiB", f.memoryBytes() / (1024 * 1024));
    }

    /** {@code stop} → {@code Stop}. */
    static String capitalize(String s) {
        return s == null || s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    /** An ISO-8601 duration as people read it: {@code PT1H30M} → {@code 1 h 30 min}. */
    static String duration(String iso) {
        java.time.Duration d;
        try {
            d = java.time.Duration.parse(iso);
        } catch (RuntimeException e) {
            return iso;
        }
        StringBuilder b = new StringBuilder();
        if (d.toHours() > 0) {
            b.append(d.toHours()).append(" h ");
        }
        if (d.toMinutesPart() > 0) {
            b.append(d.toMinutesPart()).append(" min ");
        }
        if (d.toSecondsPart() > 0 || b.isEmpty()) {
            b.append(d.toSecondsPart()).append(" s");
        }
        return b.toString().strip();
    }

    /** For a query parameter's value (the pager tag's cursor). */
    static String urlEncode(String s) {
        return Query.encode(s);
    }

    /** The audit page's next link without its cursor (the pager tag adds it). */
    static String pagerBase(dev.flotilla.service.audit.AuditLog.Filter f) {
        return Query.of("/audit")
                .add("actor", f.actor())
                .add("action", f.action())
                .add("outcome", f.outcome())
                .base();
    }

    static String human(Instant at) {
        return at == null ? "never" : WHEN.format(at);
    }
}
