package dev.flotilla.service.auth;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.control.ActivateRequestContext;
import jakarta.inject.Inject;

import dev.flotilla.service.audit.AuditLog;
import dev.flotilla.service.common.ProblemMappers;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

/** Checks API tokens against the database. */
@ApplicationScoped
public class ApiTokenIdentityProvider implements IdentityProvider<ApiTokenRequest> {
    @Inject
    ApiTokenService tokens;

    @Inject
    AuditLog audit;

    @Override
    public Class<ApiTokenRequest> getRequestType() {
        return ApiTokenRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(ApiTokenRequest request, AuthenticationRequestContext context) {
        String ip = AuditLog.sourceIp(request);
        return context.runBlocking(() -> check(request.token(), ip));
    }

    @ActivateRequestContext
    SecurityIdentity check(String token, String ip) {
        ApiTokenService.Verdict verdict = tokens.authenticate(token);
        if (verdict.identity() != null) {
            return verdict.identity();
        }
        audit.refusal(
                verdict.orgId(),
                verdict.tokenId() == null ? "anonymous" : "token:" + verdict.tokenId(),
                "token.refused",
                "token",
                verdict.tokenId(),
                verdict.refusal(),
                ip);
        throw new AuthenticationFailedException(ProblemMappers.CREDENTIAL_REFUSED + verdict.refusal());
    }
}
