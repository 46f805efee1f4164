package dev.flotilla.service.agent;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.flotilla.service.notify.NotifyHandler;

/**
 * Questions for agents held by another replica ({@code NOTIFY flotilla_query '<request id>'}, sent
 * by {@link UnitQueryRelay#ask}): the replica holding the agent answers.
 */
@ApplicationScoped
public class UnitQueryNotifications implements NotifyHandler {
    static final String CHANNEL = "flotilla_query";

    /** Replies written for questions asked through another replica (payload: the request id). */
    static final String REPLY_CHANNEL = "flotilla_query_reply";

    @Inject
    UnitQueryRelay relay;

    @Override
    public String channel() {
        return CHANNEL;
    }

    @Override
    public void received(List<String> payloads) {
        payloads.forEach(relay::asked);
    }
}

/** Replies to questions asked through another replica: the asker hands them over ({@link UnitQueryRelay#replied}). */
@ApplicationScoped
class UnitQueryReplyNotifications implements NotifyHandler {
    @Inject
    UnitQueryRelay relay;

    @Override
    public String channel() {
        return UnitQueryNotifications.REPLY_CHANNEL;
    }

    @Override
    public void received(List<String> payloads) {
        payloads.forEach(relay::replied);
    }
}
