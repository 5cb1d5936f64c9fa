package dev.ollamachat.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import dev.ollamachat.ProblemException;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every failure leaves as application/problem+json; stack traces stay in the log. */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    @ServerExceptionMapper
    public Response problem(ProblemException e) {
        if (e.status() >= 500) {
            LOG.warnf("%s: %s", e.title(), e.detail());
        }
        return Problem.response(e);
    }

    @ServerExceptionMapper
    public Response unreadableJson(JsonProcessingException e) {
        return Problem.response(JsonErrors.problem(e));
    }

    @ServerExceptionMapper
    public Response mismatchedJson(MismatchedInputException e) {
        return unreadableJson(e);
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        if (status >= 500) {
            LOG.error("Request failed", e);
            return Problem.response(status, "internal-error", "Internal error", "The request failed; see the log");
        }
        Throwable cause = e.getCause();
        if (cause instanceof JsonProcessingException json) {
            return unreadableJson(json);
        }
        String reason = e.getResponse().getStatusInfo().getReasonPhrase();
        Response problem = Problem.response(status, "http-" + status, reason, e.getMessage());
        Object allow = e.getResponse().getHeaders().getFirst("Allow");
        // a 405 says which methods the path takes (RFC 9110)
        return allow == null ? problem : Response.fromResponse(problem).header("Allow", allow).build();
    }

    @ServerExceptionMapper
    public Response unexpected(Exception e, HttpServerRequest request) {
        if (request.response().headWritten()) {
            // the transport has answered already (Quarkus REST's bare 413 for a chunked body over
            // quarkus.http.limits.max-body-size): nothing failed in this service
            LOG.debugf("Request already answered with %d: %s", request.response().getStatusCode(), e.getMessage());
            return null;
        }
        LOG.error("Unexpected failure", e);
        return Problem.response(500, "internal-error", "Internal error",
                "The request failed unexpectedly; the service log has the details");
    }
}
