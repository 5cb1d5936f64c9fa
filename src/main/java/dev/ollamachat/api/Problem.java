package dev.ollamachat.api;

import dev.ollamachat.ProblemException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.Json;
import jakarta.ws.rs.core.Response;

/** An RFC 9457 problem body: the one shape of every error this service answers, on every endpoint. */
public record Problem(String type, String title, int status, String detail) {

    public static final String MEDIA_TYPE = "application/problem+json";
    static final String TYPE_PREFIX = "urn:ollama-chat:problem:";

    static Problem of(ProblemException e) {
        return new Problem(TYPE_PREFIX + e.slug(), e.title(), e.status(), e.detail());
    }

    static Response response(ProblemException e) {
        return Response.status(e.status()).type(MEDIA_TYPE).entity(of(e)).build();
    }

    static Response response(int status, String slug, String title, String detail) {
        return response(new ProblemException(status, slug, title, detail));
    }

    /** Answers a Vert.x route's request with this problem (the JAX-RS resources answer through the mappers). */
    static void send(HttpServerResponse response, ProblemException e) {
        response.setStatusCode(e.status())
                .putHeader(HttpHeaders.CONTENT_TYPE, MEDIA_TYPE)
                .end(Json.encode(of(e)));
    }
}
