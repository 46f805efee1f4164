package dev.flotilla.service.common;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.ext.web.Router;

/**
 * Refuses a body whose declared length is over the limit with a problem document, before reading
 * it. (A chunked body that grows past the limit is cut off by Quarkus itself with a bare 413.)
 */
@ApplicationScoped
public class BodyLimitFilter {
    @ConfigProperty(name = "quarkus.http.limits.max-body-size")
    MemorySize limit;

    void install(@Observes Router router) {
        long max = limit.asLongValue();
        router.route().order(Integer.MIN_VALUE).handler(ctx -> {
            String length = ctx.request().getHeader("Content-Length");
            long declared;
            try {
                declared = length == null ? -1 : Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                declared = Long.MAX_VALUE;
            }
            if (declared > max) {
                Problem.of(413, "Content Too Large", "the body is larger than " + max + " bytes")
                        .send(ctx, true);
                return;
            }
            ctx.next();
        });
    }
}
