package dev.flotilla.api.json;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;

/**
 * Refuses a NUL character ({@code \u0000}) in any JSON string as bad input. JSON allows it, but no
 * name, label, unit file or token of Flotilla has a use for it, and PostgreSQL cannot store it in
 * text: let through, it would fail the write deep inside a transaction. Registered on the REST
 * API's mapper and on the agent protocol's.
 */
public final class NoNulStrings extends SimpleModule {
    public NoNulStrings() {
        super("no-nul-strings");
        addDeserializer(String.class, new Deserializer());
    }

    static final class Deserializer extends StdScalarDeserializer<String> {
        Deserializer() {
            super(String.class);
        }

        @Override
        public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            String s = StringDeserializer.instance.deserialize(p, ctxt);
            if (s != null && s.indexOf('\0') >= 0) {
                return (String) ctxt.handleWeirdStringValue(String.class, s, "a NUL character is not allowed");
            }
            return s;
        }
    }
}
