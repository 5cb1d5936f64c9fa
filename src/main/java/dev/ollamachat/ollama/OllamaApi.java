package dev.ollamachat.ollama;

import io.quarkus.rest.client.reactive.Url;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/**
 * The parts of Ollama's REST API used outside chat: the model list and a model's capabilities. Short timeouts:
 * {@code quarkus.rest-client.ollama-catalog.*}.
 */
@RegisterRestClient(configKey = "ollama-catalog")
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
interface OllamaApi {

    @GET
    @Path("/tags")
    OllamaTags tags(@Url String ollama);

    @GET
    @Path("/tags")
    Uni<OllamaTags> tagsAsync(@Url String ollama);

    @POST
    @Path("/show")
    @Consumes(MediaType.APPLICATION_JSON)
    Uni<OllamaShow> show(@Url String ollama, OllamaShow.Request request);
}
