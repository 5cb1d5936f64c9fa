package dev.ollamachat.api;

import dev.ollamachat.ProblemException;
import dev.ollamachat.config.ChatConfig;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Map;

/**
 * The request limits, answered as problem+json like every other refusal: a request line over {@link #MAX_URI_LENGTH}
 * is a 414, headers over {@link #MAX_HEADER_BYTES} a 431, an API body over {@link #bodyLimit} a 413: by its
 * Content-Length at once, or, for a chunked body, when a chat route's body handler has counted past the limit.
 * Two limits are outside this service's reach and answer with an empty body: Vert.x' HTTP codec, set to twice the
 * limits here (quarkus.http.limits.*), and Quarkus REST for a chunked POST /api/feedback body over
 * quarkus.http.limits.max-body-size (10 MB); neither offers a hook.
 */
@ApplicationScoped
class ProtocolLimits {

    /** The request line's URI: enough for a GET stream whose query holds a message of MAX_MESSAGE_LENGTH. */
    static final int MAX_URI_LENGTH = 128 * 1024;
    static final int MAX_HEADER_BYTES = 32 * 1024;

    private final long bodyLimit;

    ProtocolLimits(ChatConfig config) {
        this.bodyLimit = bodyLimit(config.maxMessageLength());
    }

    /** A chat body: the message with every character escaped (\\uXXXX is 6 bytes for up to 4 of UTF-8), and room. */
    static long bodyLimit(int maxMessageLength) {
        return 4L * maxMessageLength + 4096;
    }

    void register(@Observes Router router) {
        router.route().order(-40).handler(this::check).failureHandler(this::bodyRefused);
    }

    private void check(RoutingContext context) {
        HttpServerRequest request = context.request();
        if (request.uri().length() > MAX_URI_LENGTH) {
            Problem.send(context.response(), new ProblemException(414, "http-414", "URI Too Long",
                    "The request URI is longer than " + MAX_URI_LENGTH + " characters"));
        } else if (headerBytes(request) > MAX_HEADER_BYTES) {
            Problem.send(context.response(), new ProblemException(431, "http-431",
                    "Request Header Fields Too Large", "The request headers are larger than " + MAX_HEADER_BYTES
                            + " bytes"));
        } else if (request.path().startsWith("/api/") && declaredLength(request) > bodyLimit) {
            Problem.send(context.response(), tooLarge());
        } else {
            context.next();
        }
    }

    /** A body handler refuses a body over its limit by failing the request with 413. */
    private void bodyRefused(RoutingContext context) {
        if (context.statusCode() == 413 && !context.response().headWritten()) {
            Problem.send(context.response(), tooLarge());
        } else {
            context.next();
        }
    }

    private ProblemException tooLarge() {
        return new ProblemException(413, "http-413", "Request body too large",
                "The body is larger than " + bodyLimit + " bytes, which MAX_MESSAGE_LENGTH allows");
    }

    private static long headerBytes(HttpServerRequest request) {
        long bytes = 0;
        for (Map.Entry<String, String> header : request.headers()) {
            bytes += header.getKey().length() + header.getValue().length() + 4;
        }
        return bytes;
    }

    private static long declaredLength(HttpServerRequest request) {
        String length = request.getHeader("Content-Length");
        try {
            return length == null ? -1 : Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
