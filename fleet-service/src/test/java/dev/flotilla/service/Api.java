package dev.flotilla.service;

import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

import static io.restassured.RestAssured.given;

/** RestAssured shortcuts. */
public final class Api {
    private Api() {}

    public static RequestSpecification as(String token) {
        return given().header("Authorization", "Bearer " + token)
                .contentType(ContentType.JSON)
                .log()
                .ifValidationFails();
    }

    /** Signs in to the dashboard as the test admin and returns a request carrying its session. */
    public static RequestSpecification dashboard() {
        return given().cookie("quarkus-credential", signIn("admin", "test-admin-password"))
                .log()
                .ifValidationFails();
    }

    /** Signs in with the dashboard's form; the session cookie, or null when refused. */
    public static String signIn(String user, String password) {
        return given().redirects()
                .follow(false)
                .contentType(ContentType.URLENC)
                .formParam("j_username", user)
                .formParam("j_password", password)
                .post("/j_security_check")
                .getCookie("quarkus-credential");
    }

    /** A FleetLock request as Zincati sends it: the protocol header and {@code client_params}. */
    public static Response fleetLock(String base, String op, String group, String id) {
        return given().header("fleet-lock-protocol", "true")
                .contentType(ContentType.JSON)
                .body(java.util.Map.of("client_params", java.util.Map.of("id", id, "group", group)))
                .post(base + "/v1/" + op);
    }

    public static RequestSpecification anonymous() {
        return given().contentType(ContentType.JSON).log().ifValidationFails();
    }
}
