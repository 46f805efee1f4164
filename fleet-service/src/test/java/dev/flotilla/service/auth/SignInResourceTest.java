package dev.flotilla.service.auth;

import org.junit.jupiter.api.Test;

import dev.flotilla.service.TestDatabase;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

import static dev.flotilla.service.Api.anonymous;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;

/**
 * The sign-in discovery is open to anyone and tells local from Keycloak; its oidc answer (the realm
 * and the CLI's client) is checked against a real Keycloak in KeycloakDeviceLoginTest.
 */
@QuarkusTest
@QuarkusTestResource(TestDatabase.class)
class SignInResourceTest {
    @Test
    void shouldTellAnyoneThatPeopleSignInWithLocalAccounts() {
        anonymous()
                .get("/api/v1/sign-in")
                .then()
                .statusCode(200)
                .body("mode", is("local"))
                .body("$", not(hasKey("issuer")))
                .body("$", not(hasKey("cliClientId")));
    }

    @Test
    void shouldDocumentTheDiscoveryAsAnOperationWithoutCredential() {
        given().accept("application/json")
                .get("/q/openapi")
                .then()
                .statusCode(200)
                .body("paths.'/api/v1/sign-in'.get.security.size()", is(0))
                .body("paths.'/api/v1/sign-in'.get.responses.'200'", notNullValue())
                .body("paths.'/api/v1/sign-in'.get.responses.'429'", notNullValue());
    }
}
