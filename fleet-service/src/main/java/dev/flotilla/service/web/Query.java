package dev.flotilla.service.web;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** A page's URL with its filters, encoded, ready for the pager tag to append {@code cursor=…}. */
final class Query {
    private final StringBuilder url;

    private Query(String path) {
        url = new StringBuilder(path).append('?');
    }

    static Query of(String path) {
        return new Query(path);
    }

    /** Adds {@code name=value&} unless the value is null or blank. */
    Query add(String name, String value) {
        if (value != null && !value.isBlank()) {
            url.append(name).append('=').append(encode(value)).append('&');
        }
        return this;
    }

    String base() {
        return url.toString();
    }

    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
