package dev.flotilla.api.protocol;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import dev.flotilla.api.json.NoNulStrings;

/**
 * Reads and writes {@link Frame}s. Strict on input: unknown frame types and unknown fields are
 * errors, so that a peer speaking another dialect is told at once rather than half understood.
 */
public final class FrameCodec {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .addModule(new NoNulStrings())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .build();

    private FrameCodec() {}

    /** The mapper frames are read and written with. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** Writes a frame as JSON text. */
    public static String encode(Frame frame) {
        try {
            return MAPPER.writeValueAsString(frame);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + frame.getClass().getSimpleName(), e);
        }
    }

    /**
     * Reads one frame.
     *
     * @throws BadFrameException with a reason fit to send back to the peer
     */
    public static Frame decode(String text) {
        if (text == null || text.isBlank()) {
            throw new BadFrameException("empty frame");
        }
        try {
            Frame frame = MAPPER.readValue(text, Frame.class);
            if (frame == null) {
                throw new BadFrameException("frame is JSON null");
            }
            return frame;
        } catch (InvalidTypeIdException e) {
            throw new BadFrameException(
                    e.getTypeId() == null ? "frame has no type" : "unknown frame type '" + safe(e.getTypeId()) + "'");
        } catch (UnrecognizedPropertyException e) {
            throw new BadFrameException("unknown field '" + safe(e.getPropertyName()) + "'");
        } catch (MismatchedInputException e) {
            String field = e.getPath().isEmpty()
                    ? null
                    : e.getPath().get(e.getPath().size() - 1).getFieldName();
            throw new BadFrameException(
                    field == null
                            ? "malformed frame: not the JSON object expected"
                            : "missing or invalid value for '" + safe(field) + "'");
        } catch (JsonProcessingException e) {
            throw new BadFrameException("malformed frame: " + firstLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new BadFrameException("unreadable frame");
        }
    }

    /** A name the peer sent, made fit to echo back: printable, and short. */
    private static String safe(String name) {
        String printable = name.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() > 64 ? printable.substring(0, 64) + "..." : printable;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int nl = message.indexOf('\n');
        String line = nl < 0 ? message : message.substring(0, nl);
        return line.length() > 200 ? line.substring(0, 200) : line;
    }

    /** A frame that cannot be read. Its message is safe to send to the peer. */
    public static final class BadFrameException extends RuntimeException {
        public BadFrameException(String message) {
            super(message);
        }
    }
}
