/**
 * The agent wire protocol: JSON frames over one WebSocket per agent at {@link
 * dev.flotilla.api.protocol.Protocol#CONNECT_PATH}. The agent says {@link
 * dev.flotilla.api.protocol.Hello}, the service answers {@link dev.flotilla.api.protocol.Welcome},
 * then the agent sends {@link dev.flotilla.api.protocol.Heartbeat}s.
 */
package dev.flotilla.api.protocol;
