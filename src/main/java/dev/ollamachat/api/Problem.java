package dev.ollamachat.api;

import jakarta.ws.rs.core.Response;

/** An RFC 9457 problem body. */
public record Problem(String type, String title, int status, String detail) {

    public static final String MEDIA_TYPE = "application/problem+json";
    static final String TYPE_PREFIX = "urn:ollama-chat:problem:";

    static Response response(int status, String slug, String title, String detail) {
        return Response.status(status)
                .type(MEDIA_TYPE)
                .entity(new Problem(TYPE_PREFIX + slug, title, status, detail))
                .build();
    }
}
