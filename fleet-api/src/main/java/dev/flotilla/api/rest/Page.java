package dev.flotilla.api.rest;

import java.util.List;

/**
 * One page of a list. Pass {@code nextCursor} back as {@code cursor} for the next page; it is
 * {@code null} on the last page.
 */
public record Page<T>(List<T> items, String nextCursor) {
    public Page {
        items = List.copyOf(items);
    }
}
