package dev.flotilla.service.common;

import java.util.Locale;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.vertx.core.json.Json;
import io.vertx.ext.web.Router;

/**
 * Refuses a URL that is too long (414), headers that are too large (431), and a URL with a NUL character ({@code %00}) in its path or query with a 400 problem document,
 * (in fleet's error shape under {@code /fleet/v1}) before any resource runs: no name, id, selector or cursor of Flotilla has a use for it, and
 * PostgreSQL cannot store or compare it in text (it failed the query with a 500 before).
 */
@ApplicationScoped
public class UrlRules {
    /**
     * The longest URL and the most header bytes a request may have. Vert.x's own limits are set
     * higher (application.properties), so that it lets such requests through to be refused here,
     * with a problem document, instead of answering with an empty body.
     */
    static final int MAX_URI = 4000;

    static final int MAX_HEADERS = 20 * 1024;

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE + 1).handler(ctx -> {
            String uri = ctx.request().uri();
            if (uri.length() > MAX_URI) {
                Problem.of(414, "URI Too Long", "the URL is longer than " + MAX_URI + " characters")
                        .send(ctx, true);
                return;
            }
            int headers = 0;
            for (var h : ctx.request().headers()) {
                headers += h.getKey().length() + h.getValue().length() + 4;
            }
            if (headers > MAX_HEADERS) {
                Problem.of(
                                431,
                                "Request Header Fields Too Large",
                                "the headers are larger than " + MAX_HEADERS + " bytes")
                        .send(ctx, true);
                return;
            }
            if (uri.indexOf('\0') >= 0 || uri.toLowerCase(Locale.ROOT).contains("%00")) {
                String why = "a NUL character (%00) is not allowed in a URL";
                boolean fleet = uri.startsWith("/fleet/v1"); // fleet's clients read fleet's error shape
                if (fleet) {
                    ctx.response()
                            .setStatusCode(400)
                            .putHeader("Content-Type", "application/json")
                            .end(Json.encode(Map.of("error", Map.of("code", 400, "message", why))));
                } else {
                    Problem.of(400, "Bad Request", why).send(ctx, false);
                }
                return;
            }
            ctx.next();
        });
    }
}
