package dev.flotilla.service.web;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

/** The host names of the machines a page lists, in one query, so pages show names where people think in them. */
@ApplicationScoped
public class Hostnames {
    /** More ids than a page shows are not looked up (a page lists at most a few thousand rows). */
    static final int MAX = 5_000;

    @Inject
    EntityManager em;

    @Transactional
    public Map<String, String> of(UUID org, Collection<String> ids) {
        List<String> wanted = ids.stream()
                .filter(java.util.Objects::nonNull)
                .distinct()
                .limit(MAX)
                .toList();
        Map<String, String> names = new HashMap<>();
        if (wanted.isEmpty()) {
            return names;
        }
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery(
                        "select id, hostname from machine where org_id = :o and id in (:ids)")
                .setParameter("o", org)
                .setParameter("ids", wanted)
                .getResultList();
        rows.forEach(r -> names.put((String) r[0], (String) r[1]));
        return names;
    }
}
