package dev.flotilla.service.web;

import java.util.Optional;
import java.util.UUID;

/**
 * Who did something, in words people use: the stored actor ({@code account:ada}, {@code oidc:<subject>},
 * {@code token:<id>}, {@code agent:<machine id>}, {@code system}) becomes "Ada", "Ada (token deploy-bot)",
 * "agent of web-1". Pure: what it needs to know comes through {@link Lookup}.
 */
public final class ActorNames {
    private ActorNames() {}

    /** What the organization knows about the names in an actor string. */
    public interface Lookup {
        /** A member's display name by subject ({@code account:…}, {@code oidc:…}, {@code client:…}). */
        Optional<String> member(String subject);

        /** An API token by id: its name and who made it (its {@code created_by}). */
        Optional<Token> token(UUID id);

        /** A machine's host name. */
        Optional<String> machine(String id);
    }

    public record Token(String name, String createdBy) {}

    /** Tokens made by tokens are followed this far to the person at the root (the service allows 5). */
    static final int MAX_CHAIN = 8;

    public static String describe(String actor, Lookup lookup) {
        if (actor == null || actor.isBlank()) {
            return "—";
        }
        if (actor.equals("system")) {
            return "Flotilla";
        }
        if (actor.equals("anonymous")) {
            return "anonymous";
        }
        if (actor.startsWith("token:")) {
            return token(actor, lookup);
        }
        if (actor.startsWith("agent:")) {
            String id = actor.substring("agent:".length());
            return "agent of " + lookup.machine(id).orElse(shortId(id));
        }
        return person(actor, lookup);
    }

    private static String person(String subject, Lookup lookup) {
        Optional<String> member = lookup.member(subject);
        if (member.isPresent()) {
            return member.get();
        }
        int colon = subject.indexOf(':');
        if (colon < 0) {
            return subject; // not a subject this service makes (a name given by a script or a test): as it is
        }
        String rest = subject.substring(colon + 1);
        // A local account's name is its user name; a Keycloak subject is an opaque id.
        return subject.startsWith("account:") ? rest : "a former member (" + shortId(rest) + ")";
    }

    private static String token(String actor, Lookup lookup) {
        Optional<Token> token = id(actor).flatMap(lookup::token);
        if (token.isEmpty()) {
            return "a deleted token";
        }
        String by = token.get().createdBy();
        for (int hops = 0; by != null && by.startsWith("token:") && hops < MAX_CHAIN; hops++) {
            Optional<Token> parent = id(by).flatMap(lookup::token);
            by = parent.map(Token::createdBy).orElse(null);
        }
        String maker = by == null || by.startsWith("token:") ? null : describe(by, lookup);
        String named = "token " + token.get().name();
        return maker == null ? named : maker + " (" + named + ")";
    }

    private static Optional<UUID> id(String actor) {
        try {
            return Optional.of(UUID.fromString(actor.substring("token:".length())));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static String shortId(String id) {
        return id.length() > 12 ? id.substring(0, 12) + "…" : id;
    }
}
