package dev.ollamachat.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.nullValue;

import dev.ollamachat.support.FakeOllamaResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.hamcrest.Matcher;
import org.junit.jupiter.api.Test;

/** By default only the service's own page may call its API from a browser (CORS_ORIGINS widens it: CorsOriginsTest). */
@QuarkusTest
@WithTestResource(FakeOllamaResource.class)
class CorsTest {

    static void preflight(String path, String method, String origin, Matcher<?> allowOrigin) {
        given().header("Origin", origin).header("Access-Control-Request-Method", method)
                .when().options(path)
                .then().header("Access-Control-Allow-Origin", allowOrigin);
    }

    @Test
    void aForeignPageGetsNoCorsAllowance() {
        preflight("/api/chat", "POST", "http://evil.example", nullValue());
        preflight("/api/conversations/x", "DELETE", "http://evil.example", nullValue());
        preflight("/mcp", "POST", "http://evil.example", nullValue());
    }
}
