package dev.ollamachat.ollama;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ollamachat.support.FakeOllamaResource;
import dev.ollamachat.support.LogCapture;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.http.HttpClosedException;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** A connection to Ollama closed under a response (a cancelled turn) is no ERROR line; anything else still is. */
@QuarkusTest
@WithTestResource(FakeOllamaResource.class)
class ClosedConnectionLogTest {

    @Test
    void onlyClosedConnectionsOfTheHttpClientResponseAreDropped() {
        Logger response = Logger.getLogger("io.vertx.core.http.impl.HttpClientResponseImpl");
        LogCapture log = new LogCapture("");
        log.start();
        try {
            response.log(Level.SEVERE, "Connection was closed", new HttpClosedException("Connection was closed"));
            response.log(Level.SEVERE, "Something else", new IllegalStateException("else"));
        } finally {
            log.stop();
        }
        assertEquals(List.of("SEVERE io.vertx.core.http.impl.HttpClientResponseImpl: Something else"),
                log.atLeast(Level.SEVERE));
    }
}
