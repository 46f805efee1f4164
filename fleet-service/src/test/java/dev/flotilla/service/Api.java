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

    public static RequestSpecification anonymous() {
        return given().contentType(ContentType.JSON).log().ifValidationFails();
    }
}
