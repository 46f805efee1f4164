package dev.flotilla.api.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * One JSON frame on the agent's WebSocket. Every frame names its kind in {@code type}; an unknown
 * {@code type} is a protocol error that closes the connection with a reason.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = Hello.class, name = "hello"),
    @JsonSubTypes.Type(value = Welcome.class, name = "welcome"),
    @JsonSubTypes.Type(value = Heartbeat.class, name = "heartbeat"),
    @JsonSubTypes.Type(value = ErrorFrame.class, name = "error"),
    @JsonSubTypes.Type(value = StateChanges.class, name = "state-changes"),
    @JsonSubTypes.Type(value = StateSnapshot.class, name = "state-snapshot"),
    @JsonSubTypes.Type(value = Ack.class, name = "ack"),
    @JsonSubTypes.Type(value = FactsChanged.class, name = "facts"),
    @JsonSubTypes.Type(value = DesiredState.class, name = "desired-state"),
    @JsonSubTypes.Type(value = DesiredStateResult.class, name = "desired-state-result"),
    @JsonSubTypes.Type(value = UnitQuery.class, name = "unit-query"),
    @JsonSubTypes.Type(value = UnitQueryReply.class, name = "unit-query-reply"),
    @JsonSubTypes.Type(value = LeaseRequest.class, name = "lease-request"),
    @JsonSubTypes.Type(value = LeaseReply.class, name = "lease-reply"),
    @JsonSubTypes.Type(value = UpdateReport.class, name = "update-report"),
    @JsonSubTypes.Type(value = NewCredential.class, name = "credential"),
    @JsonSubTypes.Type(value = CredentialSaved.class, name = "credential-saved"),
})
public sealed interface Frame
        permits Hello,
                Welcome,
                Heartbeat,
                ErrorFrame,
                StateChanges,
                StateSnapshot,
                Ack,
                FactsChanged,
                DesiredState,
                DesiredStateResult,
                UnitQuery,
                UnitQueryReply,
                LeaseRequest,
                LeaseReply,
                UpdateReport,
                NewCredential,
                CredentialSaved {}
