package dev.ollamachat.api;

import dev.ollamachat.ProblemException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/** A POST to the API must say its body is JSON: without a Content-Type it is a 415, as on the chat routes. */
public class JsonBodyRequired {

    @ServerRequestFilter
    public Optional<Response> requireContentType(ContainerRequestContext request) {
        if (request.getMethod().equals("POST") && request.getUriInfo().getPath().startsWith("/api/")
                && request.getHeaderString(HttpHeaders.CONTENT_TYPE) == null) {
            return Optional.of(Problem.response(new ProblemException(415, "http-415", "Unsupported Media Type",
                    "The body must be application/json (the Content-Type header is missing)")));
        }
        return Optional.empty();
    }
}
