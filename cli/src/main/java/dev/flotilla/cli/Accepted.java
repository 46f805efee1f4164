package dev.flotilla.cli;

import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.flotilla.api.rest.NewUpdatePolicy;
import dev.flotilla.api.rest.UpdateWindow;

/**
 * The one place that knows which fields the service accepts in a body: the components of the
 * request records of fleet-api, which the service reads with unknown properties refused. What a GET
 * shows beyond them (id, createdAt, openNow, nextWindows, machines, ...) is read-only: export leaves
 * it out and diff does not compare it. Taken from the records, not listed by hand, so that a field
 * renamed in the API is renamed here by the same build.
 */
final class Accepted {
    private Accepted() {}

    static Set<String> fields(Class<? extends Record> type) {
        Set<String> names = new LinkedHashSet<>();
        Arrays.stream(type.getRecordComponents()).map(RecordComponent::getName).forEach(names::add);
        return names;
    }

    /** The fields of an update policy body (POST and PUT). */
    static Set<String> policyFields() {
        return fields(NewUpdatePolicy.class);
    }

    /**
     * A policy as GET shows it, cut to what PUT accepts, without the fields that are null (left out,
     * they take the same default): what export writes.
     */
    static ObjectNode policyBody(JsonNode view) {
        ObjectNode body = Api.JSON.createObjectNode();
        for (String f : policyFields()) {
            JsonNode v = view.get(f);
            if (v == null || v.isNull()) {
                continue;
            }
            if (f.equals("windows") && v.isArray()) {
                ArrayNode windows = body.putArray(f);
                v.forEach(w -> windows.add(cut(w, fields(UpdateWindow.class))));
            } else {
                body.set(f, v);
            }
        }
        return body;
    }

    private static ObjectNode cut(JsonNode n, Set<String> keep) {
        ObjectNode out = Api.JSON.createObjectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (keep.contains(e.getKey()) && !e.getValue().isNull()) {
                out.set(e.getKey(), e.getValue());
            }
        }
        return out;
    }
}
