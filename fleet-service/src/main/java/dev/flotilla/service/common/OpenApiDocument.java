package dev.flotilla.service.common;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;

/**
 * The OpenAPI document's common parts, written once rather than on every operation: what every
 * operation may answer with a problem document (400 always, 401 and 403 when it needs
 * a credential, 404 when a path names something, 413 and 415 when it takes a body, 429 always: the
 * rate limits, 503 when overloaded), tag descriptions,
 * {@code security: []} on the operations that take no credential (enrollment, FleetLock), and the
 * server. Operations keep the answers they document themselves. The document passes {@code
 * redocly lint} with the recommended rules ({@code OpenApiLintTest}).
 */
public class OpenApiDocument implements OASFilter {
    private static final Map<String, String> TAGS = new LinkedHashMap<>();

    static {
        TAGS.put("Machines", "The fleet's hosts: inventory, labels, history, units and containers as observed.");
        TAGS.put("Units", "fleet's units: submitted, scheduled to machines (global units to every match), rolled out.");
        TAGS.put("Updates", "Update policies (windows, limits), machines' update progress, reboot leases.");
        TAGS.put("Enrollment tokens", "Tokens hosts enroll with, and the commands that install the agent.");
        TAGS.put("Agent", "What the host agent calls: enrollment (its WebSocket is not described here).");
        TAGS.put("FleetLock", "The FleetLock protocol for Zincati and locksmith-style reboot coordination.");
        TAGS.put("API tokens", "Tokens for scripts and the flotilla CLI, each with a role.");
        TAGS.put("Members", "People and service accounts of the organization, their roles, invitations.");
        TAGS.put(
                "Sign-in",
                "How people sign in to this service: local accounts, or Keycloak (and its client for CLIs).");
        TAGS.put("Organizations", "The organizations a person belongs to; creating and joining one.");
        TAGS.put("Audit log", "Every change and every refused credential, append-only.");
        TAGS.put("fleet v1", "CoreOS fleet's own API v1, for fleetctl-era clients (docs/fleet-compatibility.md).");
    }

    private static final String PROBLEM = "application/problem+json";

    @Override
    public void filterOpenAPI(OpenAPI openApi) {
        if (openApi.getServers() == null || openApi.getServers().isEmpty()) {
            openApi.addServer(OASFactory.createServer()
                    .url("/")
                    .description("this service (the dashboard and the API share one address)"));
        }
        if (openApi.getInfo() != null && openApi.getInfo().getLicense() == null) {
            openApi.getInfo()
                    .license(OASFactory.createLicense()
                            .name("Apache-2.0")
                            .url("https://www.apache.org/licenses/LICENSE-2.0"));
        }
        List<String> present = new ArrayList<>();
        if (openApi.getTags() != null) {
            openApi.getTags().forEach(t -> {
                present.add(t.getName());
                if (t.getDescription() == null && TAGS.containsKey(t.getName())) {
                    t.setDescription(TAGS.get(t.getName()));
                }
            });
        }
        if (openApi.getComponents() == null) {
            openApi.setComponents(OASFactory.createComponents());
        }
        var string = OASFactory.createSchema()
                .addType(org.eclipse.microprofile.openapi.models.media.Schema.SchemaType.STRING);
        var integer = OASFactory.createSchema()
                .addType(org.eclipse.microprofile.openapi.models.media.Schema.SchemaType.INTEGER);
        openApi.getComponents()
                .addSchema(
                        "Problem",
                        OASFactory.createSchema()
                                .addType(org.eclipse.microprofile.openapi.models.media.Schema.SchemaType.OBJECT)
                                .description("An RFC 9457 problem document: every error of /api/v1.")
                                .addProperty("type", string)
                                .addProperty("title", string)
                                .addProperty("status", integer)
                                .addProperty("detail", string)
                                .addProperty(
                                        "errors",
                                        OASFactory.createSchema()
                                                .addType(
                                                        org.eclipse.microprofile.openapi.models.media.Schema.SchemaType
                                                                .ARRAY)
                                                .items(OASFactory.createSchema()
                                                        .addType(
                                                                org.eclipse.microprofile.openapi.models.media.Schema
                                                                        .SchemaType.OBJECT)
                                                        .addProperty("field", string)
                                                        .addProperty("message", string))))
                .addSchema(
                        "FleetError",
                        OASFactory.createSchema()
                                .addType(org.eclipse.microprofile.openapi.models.media.Schema.SchemaType.OBJECT)
                                .description("fleet's error shape, under /fleet/v1.")
                                .addProperty(
                                        "error",
                                        OASFactory.createSchema()
                                                .addType(
                                                        org.eclipse.microprofile.openapi.models.media.Schema.SchemaType
                                                                .OBJECT)
                                                .addProperty("code", integer)
                                                .addProperty("message", string)))
                .addSchema(
                        "FleetLockError",
                        OASFactory.createSchema()
                                .addType(org.eclipse.microprofile.openapi.models.media.Schema.SchemaType.OBJECT)
                                .description("FleetLock's error shape (kind: failed_lock_semaphore_full, ...).")
                                .addProperty("kind", string)
                                .addProperty("value", string));
        if (openApi.getPaths() == null || openApi.getPaths().getPathItems() == null) {
            return;
        }
        openApi.getPaths()
                .getPathItems()
                .forEach((path, item) -> item.getOperations().forEach((method, op) -> complete(path, method, op)));
    }

    private static void complete(String path, PathItem.HttpMethod method, Operation op) {
        // Which error shape the path answers with: fleet's, FleetLock's, or a problem document.
        String fleet =
                path.startsWith("/fleet/v1") ? "FleetError" : path.startsWith("/fleetlock/") ? "FleetLockError" : null;
        boolean anonymous = op.getSecurity() == null || op.getSecurity().isEmpty();
        if (anonymous) {
            // No credential: said explicitly, not left to a default.
            op.setSecurity(new ArrayList<>());
        }
        APIResponses responses = op.getResponses();
        if (responses == null) {
            responses = OASFactory.createAPIResponses();
            op.setResponses(responses);
        }
        // Any request can be malformed (a header, a query parameter, a body where none is taken).
        add(responses, fleet, "400", "The request is not valid (the error says which part and why).");
        if (!anonymous) {
            add(responses, fleet, "401", "No credential, or one that is unknown, expired or revoked.");
            add(responses, fleet, "403", "The credential's role is below what the operation needs.");
        } else if (path.startsWith("/fleetlock/")) {
            add(responses, fleet, "404", "No FleetLock URL with this secret.");
        }
        if (path.contains("{") && !anonymous) {
            add(responses, fleet, "404", "Nothing of that name or id in the organization.");
        }
        if (op.getRequestBody() != null) {
            add(responses, fleet, "413", "The body is larger than the service's limit.");
            add(responses, fleet, "415", "The body is not of the media type the operation takes.");
        }
        add(responses, fleet, "429", "Too many requests from this caller or organization; retry after Retry-After.");
        add(
                responses,
                fleet,
                "503",
                "The service is overloaded (no database connection was free in time); retry after Retry-After.");
    }

    private static void add(APIResponses responses, String shape, String code, String description) {
        if (responses.hasAPIResponse(code)) {
            return;
        }
        APIResponse r = OASFactory.createAPIResponse()
                .description(description)
                .content(OASFactory.createContent()
                        .addMediaType(
                                shape != null ? "application/json" : PROBLEM,
                                OASFactory.createMediaType()
                                        .schema(OASFactory.createSchema()
                                                .ref("#/components/schemas/" + (shape != null ? shape : "Problem")))));
        responses.addAPIResponse(code, r);
    }
}
