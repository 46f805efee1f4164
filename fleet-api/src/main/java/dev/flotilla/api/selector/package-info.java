/** Label keys, values and selectors, shared by the API, the scheduler and the agent. */
package dev.flotilla.api.selector;
