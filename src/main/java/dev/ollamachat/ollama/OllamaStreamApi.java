package dev.ollamachat.ollama;

import io.smallrye.mutiny.Multi;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.RestStreamElementType;

/** Ollama's streaming {@code POST /api/chat}: one JSON object per NDJSON line. */
@Path("/api")
interface OllamaStreamApi {

    @POST
    @Path("/chat")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces("application/x-ndjson")
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    Multi<OllamaWire.Chunk> chat(OllamaWire.ChatRequest request);
}
