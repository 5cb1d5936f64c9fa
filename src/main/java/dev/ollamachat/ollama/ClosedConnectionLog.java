package dev.ollamachat.ollama;

import io.quarkus.runtime.StartupEvent;
import io.vertx.core.http.HttpClosedException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.logging.Logger;

/**
 * Keeps Vert.x from logging an ERROR each time a connection to Ollama closes under a response, which is what
 * cancelling a turn does on purpose (a client that left, a stream stopped). An Ollama that drops the connection by
 * itself fails the model call, and that failure is answered and logged by this service (a 502 and its WARN line),
 * so the Vert.x line adds nothing. Only {@link HttpClosedException}s of Vert.x's HTTP client response are dropped.
 */
@ApplicationScoped
class ClosedConnectionLog {

    /** A logger with a filter must stay referenced, or the log manager may forget it and its filter. */
    private static final Logger RESPONSE_LOG = Logger.getLogger("io.vertx.core.http.impl.HttpClientResponseImpl");

    void install(@Observes StartupEvent start) {
        RESPONSE_LOG.setFilter(record -> !(record.getThrown() instanceof HttpClosedException));
    }
}
