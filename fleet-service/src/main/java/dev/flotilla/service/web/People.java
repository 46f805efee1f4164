package dev.flotilla.service.web;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import dev.flotilla.service.tenant.Actor;

/**
 * Names for the people, tokens and agents a page shows as having done something (templates read it as
 * {@code inject:people.of(actor)}). Each name is looked up once per request, by primary key or unique
 * index, in the current organization only.
 */
@Named("people")
@RequestScoped
public class People implements ActorNames.Lookup {
    @Inject
    Actor actor;

    @Inject
    EntityManager em;

    private final Map<String, String> names = new HashMap<>();

    @Transactional
    public String of(String who) {
        String known = names.get(who);
        if (known == null) {
            known = actor.org().isEmpty() ? who : ActorNames.describe(who, this);
            names.put(who, known);
        }
        return known;
    }

    @Override
    public Optional<String> member(String subject) {
        return first(em.createNativeQuery("select display_name from member where org_id = :o and subject = :s")
                .setParameter("o", actor.orgId())
                .setParameter("s", subject)
                .getResultList());
    }

    @Override
    public Optional<ActorNames.Token> token(UUID id) {
        List<?> rows = em.createNativeQuery("select name, created_by from api_token where org_id = :o and id = :i")
                .setParameter("o", actor.orgId())
                .setParameter("i", id)
                .getResultList();
        return rows.stream().findFirst().map(r -> {
            Object[] row = (Object[]) r;
            return new ActorNames.Token((String) row[0], (String) row[1]);
        });
    }

    @Override
    public Optional<String> machine(String id) {
        return first(em.createNativeQuery("select hostname from machine where org_id = :o and id = :i")
                .setParameter("o", actor.orgId())
                .setParameter("i", id)
                .getResultList());
    }

    private static Optional<String> first(List<?> rows) {
        return rows.stream().findFirst().map(String::valueOf);
    }
}
