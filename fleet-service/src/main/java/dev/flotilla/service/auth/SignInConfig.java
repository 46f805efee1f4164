package dev.flotilla.service.auth;

import io.smallrye.config.ConfigMapping;

/** Password guessing on the sign-in form ({@code flotilla.sign-in.*}; defaults in application.properties). */
@ConfigMapping(prefix = "flotilla.sign-in")
public interface SignInConfig {
    /** Failed sign-ins of one user name within the window after which it is refused unchecked. */
    int maxFailuresPerUser();

    /** Failed sign-ins from one address within the window after which it is refused unchecked. */
    int maxFailuresPerAddress();
}
