package dev.flotilla.service.org.brokenrule;

import dev.flotilla.service.auth.AccountService;

/** Breaks {@code orgShouldNotDependOnSignIn} on purpose, for {@code ArchitectureRulesFailTest}. */
public class ReachesIntoSignIn {
    String subject() {
        return AccountService.subject("ada");
    }
}
