package dev.flotilla.service.common;

import jakarta.inject.Singleton;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.flotilla.api.json.NoNulStrings;
import io.quarkus.jackson.ObjectMapperCustomizer;

/** The REST API's JSON refuses NUL in strings, as the agent protocol's does ({@link NoNulStrings}). */
@Singleton
public class JsonRules implements ObjectMapperCustomizer {
    @Override
    public void customize(ObjectMapper mapper) {
        mapper.registerModule(new NoNulStrings());
    }
}
