package dev.ollamachat.api;

import dev.ollamachat.ProblemException;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Set;

/**
 * A method an API path does not take is a 405 problem with the {@code Allow} header (RFC 9110), on the JAX-RS
 * resources and the chat routes alike (without this, TRACE on the stream route was a 404 and JAX-RS 405s named no
 * methods). HEAD goes wherever GET does; a plain OPTIONS lists the methods.
 */
@ApplicationScoped
class UndeclaredMethods {

    void register(@Observes Router router) {
        allow(router, ChatRoutes.PATH, "POST");
        allow(router, ChatRoutes.STREAM_PATH, "GET, HEAD, POST");
        allow(router, "/api/conversations", "GET, HEAD");
        allow(router, "/api/conversations/:id", "GET, HEAD, DELETE");
        allow(router, "/api/feedback", "POST");
        allow(router, "/api/models", "GET, HEAD");
        allow(router, "/api/tools", "GET, HEAD");
    }

    private void allow(Router router, String path, String allowed) {
        Set<String> methods = Set.of(allowed.split(", "));
        router.route(path).order(-20).handler(context -> {
            if (methods.contains(context.request().method().name())) {
                context.next();
            } else if (context.request().method() == HttpMethod.OPTIONS) {
                // a CORS preflight never gets here: the CORS filter answers it
                context.response().setStatusCode(204).putHeader("Allow", allowed + ", OPTIONS").end();
            } else {
                refuse(context, allowed);
            }
        });
    }

    private void refuse(RoutingContext context, String allowed) {
        Problem.send(context.response().putHeader("Allow", allowed), new ProblemException(405, "http-405",
                "Method Not Allowed", context.request().method().name() + " is not one of: " + allowed));
    }
}
