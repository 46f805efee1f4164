package dev.flotilla.service.common;

import java.io.IOException;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.inject.Inject;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ResourceInfo;

import org.jboss.resteasy.reactive.server.ServerResponseFilter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.smallrye.openapi.runtime.OpenApiDocumentService;
import io.smallrye.openapi.runtime.io.Format;

/**
 * In every test of the service (part of the test application only): an answer below 500 that the
 * OpenAPI document does not list for its operation becomes a 500 naming the operation and the
 * status, so each test that provokes a 409, a 404 or a 201 also checks that the document tells
 * clients about it. The document is the one {@code /q/openapi} serves, read in-process. Answers
 * given before an operation is matched (a path that does not exist, a body over the limit) have no
 * operation and are not checked here.
 */
public class DocumentedAnswers {
    @Inject
    OpenApiDocumentService openApi;

    @Inject
    ObjectMapper json;

    private volatile JsonNode paths;
    private final Map<Method, String> templates = new ConcurrentHashMap<>();

    @ServerResponseFilter(priority = 1)
    public void requireDocumented(
            ContainerRequestContext request, ContainerResponseContext response, ResourceInfo resource) {
        int status = response.getStatus();
        if (status >= 500 || resource == null || resource.getResourceMethod() == null) {
            return;
        }
        String path = templates.computeIfAbsent(resource.getResourceMethod(), m -> template(resource));
        if (!(path.startsWith("/api/")
                || path.startsWith("/fleet/")
                || path.startsWith("/fleetlock/")
                || path.startsWith("/agent/v1/enroll"))) {
            return;
        }
        JsonNode op = paths().path(path).path(request.getMethod().toLowerCase(java.util.Locale.ROOT));
        if (op.isMissingNode()) {
            return; // not in the document (hidden): nothing promised
        }
        if (!op.path("responses").has(String.valueOf(status))) {
            response.setStatus(500);
            response.setEntity(request.getMethod() + " " + path + " answered " + status
                    + ", which its OpenAPI operation does not document: add @APIResponse(responseCode = \""
                    + status + "\") (documented: "
                    + op.path("responses").properties().stream()
                            .map(Map.Entry::getKey)
                            .toList() + ")");
        }
    }

    private JsonNode paths() {
        JsonNode p = paths;
        if (p == null) {
            try {
                p = json.readTree(openApi.getDocument("<default>", Format.JSON)).path("paths");
            } catch (IOException e) {
                throw new IllegalStateException("the OpenAPI document does not parse", e);
            }
            paths = p;
        }
        return p;
    }

    private static String template(ResourceInfo resource) {
        StringBuilder sb = new StringBuilder();
        Path root = resource.getResourceClass().getAnnotation(Path.class);
        if (root != null) {
            sb.append(root.value());
        }
        Path sub = resource.getResourceMethod().getAnnotation(Path.class);
        if (sub != null) {
            if (!sub.value().startsWith("/") && sb.length() > 0 && sb.charAt(sb.length() - 1) != '/') {
                sb.append('/');
            }
            sb.append(sub.value());
        }
        String t = sb.toString().replaceAll("\\{\\s*(\\w+)\\s*:[^}]*}", "{$1}");
        if (!t.startsWith("/")) {
            t = "/" + t;
        }
        return t.length() > 1 && t.endsWith("/") ? t.substring(0, t.length() - 1) : t;
    }
}
