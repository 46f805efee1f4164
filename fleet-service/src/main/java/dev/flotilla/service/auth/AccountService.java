package dev.flotilla.service.auth;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;

import io.quarkus.security.identity.SecurityIdentity;

/** Local accounts: passwords are kept as BCrypt hashes (cost 12). */
@ApplicationScoped
public class AccountService {
    private static final BCryptPasswordEncoder BCRYPT = new BCryptPasswordEncoder(12);
    // Compared against when the user does not exist, so that a wrong name costs as long as a wrong password.
    private static final String DUMMY_HASH = BCRYPT.encode("flotilla-no-such-user");

    public static String hash(String password) {
        return BCRYPT.encode(password);
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public Optional<SecurityIdentity> authenticate(String username, char[] password) {
        if (username == null || username.length() > 100 || password == null || password.length > 200) {
            return Optional.empty();
        }
        Optional<Account> account =
                Account.find("lower(username) = lower(?1)", username).firstResultOptional();
        String given = new String(password);
        if (account.isEmpty()) {
            BCRYPT.matches(given, DUMMY_HASH);
            return Optional.empty();
        }
        Account a = account.get();
        if (!BCRYPT.matches(given, a.passwordHash)) {
            return Optional.empty();
        }
        return Optional.of(identity(a));
    }

    /**
     * The identity of a session cookie's user, read again at each request so that a removed account
     * or a changed role takes effect at once.
     */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Optional<SecurityIdentity> identityOf(String username) {
        return Account.<Account>find("lower(username) = lower(?1)", username)
                .firstResultOptional()
                .map(AccountService::identity);
    }

    private static SecurityIdentity identity(Account a) {
        return Identities.of(a.username, "account:" + a.username, a.orgId, Role.parse(a.role));
    }
}
