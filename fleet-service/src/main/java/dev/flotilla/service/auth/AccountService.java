package dev.flotilla.service.auth;

import java.util.Locale;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;

import dev.flotilla.api.rest.OrgView;
import dev.flotilla.service.common.ProblemException;
import dev.flotilla.service.org.InvitationService;
import io.quarkus.security.identity.SecurityIdentity;

/**
 * Local accounts: passwords are kept as BCrypt hashes (cost 12). An account is a person; what they
 * may do comes from their memberships ({@link MembershipAugmentor}).
 */
@ApplicationScoped
public class AccountService {
    @Inject
    InvitationService invitations;

    private static final BCryptPasswordEncoder BCRYPT = new BCryptPasswordEncoder(12);
    // Compared against when the user does not exist, so that a wrong name costs as long as a wrong password.
    private static final String DUMMY_HASH = BCRYPT.encode("flotilla-no-such-user");

    public static String hash(String password) {
        return BCRYPT.encode(password);
    }

    /** The subject of a local account in memberships and the audit log. */
    public static String subject(String username) {
        return "account:" + username.toLowerCase(Locale.ROOT);
    }

    private static final java.util.regex.Pattern USERNAME =
            java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,99}");

    /**
     * A new local account for an invitee, and its membership through the invitation, in one
     * transaction: both or neither.
     */
    @Transactional
    public OrgView createAndAccept(String secret, String username, String password) {
        create(username, password);
        return invitations.accept(secret, subject(username), username, null);
    }

    /** A new local account; 409 when the name is taken (user names are unique ignoring case). */
    @Transactional
    public void create(String username, String password) {
        if (username == null || !USERNAME.matcher(username).matches()) {
            throw ProblemException.badRequest(
                    "a user name is 1 to 100 letters, digits and . _ @ -, starting with a letter or digit");
        }
        if (password == null || password.length() < 12 || password.length() > 200) {
            throw ProblemException.badRequest("a password is 12 to 200 characters");
        }
        if (Account.count("lower(username) = lower(?1)", username) > 0) {
            throw ProblemException.conflict("the user name " + username + " is taken");
        }
        Account a = new Account();
        a.id = java.util.UUID.randomUUID();
        a.username = username;
        a.passwordHash = hash(password);
        a.createdAt = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
        a.persist();
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

    /** The identity of a session cookie's user, read again at each request: a deleted account is signed out at once. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Optional<SecurityIdentity> identityOf(String username) {
        return Account.<Account>find("lower(username) = lower(?1)", username)
                .firstResultOptional()
                .map(AccountService::identity);
    }

    private static SecurityIdentity identity(Account a) {
        return Identities.person(subject(a.username), a.username, null);
    }
}
