package dev.ollamachat.ollama;

import io.quarkus.rest.client.reactive.Url;
import io.smallrye.mutiny.Multi;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;
import org.jboss.resteasy.reactive.RestStreamElementType;

/**
 * Ollama's streaming {@code POST /api/chat}. Each item is one NDJSON line as bytes: {@link OllamaChatModel} parses
 * them itself, so that a malformed line fails the call instead of being skipped. Cancelling the {@link Multi}
 * closes the connection. Each call names its Ollama ({@link OllamaHosts}); the settings are
 * {@code quarkus.rest-client.ollama.*}.
 */
@RegisterRestClient(configKey = "ollama")
@Path("/api")
interface OllamaChatApi {

    @POST
    @Path("/chat")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces("application/x-ndjson")
    @RestStreamElementType(MediaType.APPLICATION_OCTET_STREAM)
    Multi<byte[]> chat(@Url String ollama, OllamaWire.ChatRequest request);
}
