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
