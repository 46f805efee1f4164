package dev.flotilla.service.auth;

import io.smallrye.config.ConfigMapping;

/** Password guessing on the sign-in form ({@code flotilla.sign-in.*}; defaults in application.properties). */
@ConfigMapping(prefix = "flotilla.sign-in")
public interface SignInConfig {
    /** Failed sign-ins of one user name from one address after which that pair is refused unchecked. */
    int maxFailuresPerUserAndAddress();

    /** Failed sign-ins from one address within the window after which it is refused unchecked. */
    int maxFailuresPerAddress();

    /** The longest a sign-in of a user name that failed lately waits before it is checked. */
    java.time.Duration maxDelay();
}
