package dev.flotilla.service.common;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * Refuses a body over the limit with a problem document: one whose declared length is too large
 * before reading it; a chunked one (no declared length) once it grows past the limit, read by
 * Vert.x's {@link BodyHandler} after the caller gate (Quarkus itself would answer a bare 413).
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
        BodyHandler chunked = BodyHandler.create(false).setBodyLimit(max);
        router.route()
                .order(Integer.MIN_VALUE + 3)
                .handler(ctx -> {
                    if (ctx.request().getHeader("Content-Length") == null
                            && ctx.request().getHeader("Transfer-Encoding") != null) {
                        chunked.handle(ctx);
                    } else {
                        ctx.next();
                    }
                })
                .failureHandler(ctx -> {
                    if (ctx.statusCode() == 413) {
                        Problem.of(413, "Content Too Large", "the body is larger than " + max + " bytes")
                                .send(ctx, true);
                    } else {
                        ctx.next();
                    }
                });
    }
}
