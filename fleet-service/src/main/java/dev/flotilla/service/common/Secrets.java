package dev.flotilla.service.common;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Random secrets with a recognisable prefix ({@code flt_} API tokens, {@code fle_} enrollment
 * tokens, {@code flm_} machine credentials), and their SHA-256 for storage. 256 random bits need no
 * slow hash: nobody can guess one, so a fast digest is enough to make a stolen table useless.
 */
public final class Secrets {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int MAX_LENGTH = 200;

    private Secrets() {}

    public static String generate(String prefix) {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** The stored form of a secret; {@code null} for text that cannot be one of ours. */
    public static byte[] hash(String secret) {
        if (secret == null || secret.isEmpty() || secret.length() > MAX_LENGTH) {
            return null;
        }
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
