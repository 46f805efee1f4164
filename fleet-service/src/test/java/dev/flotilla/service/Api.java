package dev.flotilla.service;

import io.restassured.http.ContentType;
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
        String cookie = given().redirects()
                .follow(false)
                .contentType(ContentType.URLENC)
                .formParam("j_username", "admin")
                .formParam("j_password", "test-admin-password")
                .post("/j_security_check")
                .getCookie("quarkus-credential");
        return given().cookie("quarkus-credential", cookie).log().ifValidationFails();
    }

    public static RequestSpecification anonymous() {
        return given().contentType(ContentType.JSON).log().ifValidationFails();
    }
}
