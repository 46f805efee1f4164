package dev.flotilla.api.selector;

/** A label selector that does not parse. The message says where and why. */
public final class SelectorSyntaxException extends IllegalArgumentException {
    private final int position;

    public SelectorSyntaxException(String message, int position) {
        super(message + " at position " + position);
        this.position = position;
    }

    /** The 0-based offset in the selector where parsing stopped. */
    public int position() {
        return position;
    }
}
