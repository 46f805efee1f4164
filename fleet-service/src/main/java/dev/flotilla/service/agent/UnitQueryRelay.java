package dev.flotilla.service.agent;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

import org.jboss.logging.Logger;

import dev.flotilla.api.protocol.FrameCodec;
import dev.flotilla.api.protocol.UnitQuery;
import dev.flotilla.api.protocol.UnitQueryReply;
import dev.flotilla.service.machine.MachineRef;
import dev.flotilla.service.notify.Notify;
import io.quarkus.narayana.jta.QuarkusTransaction;

/**
 * Questions for agents connected to another replica (journal, status). The asking replica writes
 * the question to {@code unit_query} and sends {@code NOTIFY flotilla_query}; every replica hears
 * it, and the one holding the agent's session asks the agent, writes the reply into the row and
 * sends {@code NOTIFY flotilla_query_reply}; the asker, hearing it, reads its row and deletes it.
 * Nothing waits on a thread meanwhile: the asker holds only a future. The reply can be far larger
 * than a NOTIFY payload may be (8 kB), hence the table.
 */
@ApplicationScoped
public class UnitQueryRelay {
    private static final Logger LOG = Logger.getLogger(UnitQueryRelay.class);

    @Inject
    EntityManager em;

    @Inject
    AgentSessions sessions;

    @Inject
    AgentFrames frames;

    /** Questions this replica asked through another, by request id. */
    private final Map<String, CompletableFuture<UnitQueryReply>> waiting = new ConcurrentHashMap<>();

    /**
     * Asks through whichever replica holds the machine's agent; the result fails with a {@link
     * TimeoutException} when no reply comes within {@code timeout}. Writes the question now (the
     * caller's thread); the answer arrives on its own.
     */
    CompletableFuture<UnitQueryReply> ask(MachineRef machine, UnitQuery query, Duration timeout) {
        CompletableFuture<UnitQueryReply> reply = new CompletableFuture<>();
        waiting.put(query.requestId(), reply);
        try {
            QuarkusTransaction.requiringNew().run(() -> {
                em.createNativeQuery("delete from unit_query where asked_at < now() - interval '1 minute'")
                        .executeUpdate();
                em.createNativeQuery("insert into unit_query (request_id, org_id, machine_id, query)"
                                + " values (:r, :o, :m, :q)")
                        .setParameter("r", query.requestId())
                        .setParameter("o", machine.orgId())
                        .setParameter("m", machine.machineId())
                        .setParameter("q", FrameCodec.encode(query))
                        .executeUpdate();
                // Delivered at commit: the replica holding the agent finds the row.
                Notify.send(em, UnitQueryNotifications.CHANNEL, query.requestId());
            });
        } catch (RuntimeException e) {
            waiting.remove(query.requestId());
            throw e;
        }
        return reply.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((r, e) -> {
            waiting.remove(query.requestId());
            frames.executor().execute(() -> forget(query.requestId()));
        });
    }

    /** A reply was written for a question: if this replica asked it, read it and hand it over. */
    void replied(String requestId) {
        CompletableFuture<UnitQueryReply> reply = waiting.get(requestId);
        if (reply == null) {
            return; // another replica's question
        }
        frames.executor().execute(() -> {
            try {
                String text = QuarkusTransaction.requiringNew().call(() -> reply(requestId));
                if (text != null) {
                    reply.complete((UnitQueryReply) FrameCodec.decode(text));
                }
            } catch (RuntimeException e) {
                reply.completeExceptionally(e);
            }
        });
    }

    private void forget(String requestId) {
        try {
            QuarkusTransaction.requiringNew()
                    .run(() -> em.createNativeQuery("delete from unit_query where request_id = :r")
                            .setParameter("r", requestId)
                            .executeUpdate());
        } catch (RuntimeException e) {
            LOG.debugf("forgetting question %s: %s", requestId, e.getMessage()); // swept after a minute
        }
    }

    private String reply(String requestId) {
        @SuppressWarnings("unchecked")
        List<String> rows = em.createNativeQuery(
                        "select reply from unit_query where request_id = :r and reply is not null")
                .setParameter("r", requestId)
                .getResultList();
        return rows.isEmpty() ? null : rows.get(0);
    }

    /** A replica asked (this one or another): answer, off the hub's thread, if the agent is connected here. */
    void asked(String requestId) {
        frames.executor().execute(() -> {
            try {
                answer(requestId);
            } catch (RuntimeException e) {
                LOG.warnf("relaying question %s: %s", requestId, e.getMessage());
            }
        });
    }

    private void answer(String requestId) {
        Object[] row = QuarkusTransaction.requiringNew().call(() -> {
            @SuppressWarnings("unchecked")
            List<Object[]> rows = em.createNativeQuery(
                            "select org_id, machine_id, query from unit_query where request_id = :r and reply is null")
                    .setParameter("r", requestId)
                    .getResultList();
            return rows.isEmpty() ? null : rows.get(0);
        });
        if (row == null) {
            return;
        }
        MachineRef machine = new MachineRef((java.util.UUID) row[0], (String) row[1]);
        UnitQuery query = (UnitQuery) FrameCodec.decode((String) row[2]);
        Optional<CompletableFuture<UnitQueryReply>> reply =
                sessions.ask(machine, query, UnitQueryResource.TIMEOUT.minusSeconds(1));
        reply.ifPresent(f -> f.thenAcceptAsync(
                r -> QuarkusTransaction.requiringNew().run(() -> {
                    em.createNativeQuery("update unit_query set reply = :p where request_id = :r")
                            .setParameter("p", FrameCodec.encode(r))
                            .setParameter("r", requestId)
                            .executeUpdate();
                    Notify.send(em, UnitQueryNotifications.REPLY_CHANNEL, requestId);
                }),
                frames.executor()));
    }
}
