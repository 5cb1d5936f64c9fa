package dev.ollamachat.api;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import dev.ollamachat.support.FakeOllamaResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** CORS_ORIGINS names the pages that may call the API; any other is still refused. */
@QuarkusTest
@WithTestResource(FakeOllamaResource.class)
@TestProfile(CorsOriginsTest.OneAllowedOrigin.class)
class CorsOriginsTest {

    public static class OneAllowedOrigin implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.http.cors.origins", "http://chat.example");
        }
    }

    @Test
    void theNamedOriginMayCallTheApiAndOthersStillMayNot() {
        CorsTest.preflight("/api/chat", "POST", "http://chat.example", equalTo("http://chat.example"));
        CorsTest.preflight("/api/chat", "POST", "http://evil.example", nullValue());
    }
}
