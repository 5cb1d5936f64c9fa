package dev.ollamachat.phoenix;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.rest.client.reactive.Url;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/**
 * The parts of Phoenix's REST API this service uses: the spans of one trace in a project and trace annotations (for
 * feedback), and prompt versions (for PHOENIX_PROMPT).
 * Short timeouts: {@code quarkus.rest-client.phoenix.*}. {@code authorization} is "Bearer PHOENIX_API_KEY" or null.
 */
@RegisterRestClient(configKey = "phoenix")
@Path("/v1")
@Produces(MediaType.APPLICATION_JSON)
public interface PhoenixRestApi {

    /** The Authorization header of every call: "Bearer PHOENIX_API_KEY", or null when no key is set. */
    static String authorization(dev.ollamachat.config.ChatConfig config) {
        return config.telemetry().apiKey().map(String::trim).filter(key -> !key.isEmpty())
                .map(key -> "Bearer " + key).orElse(null);
    }

    /** Spans of {@code project} in the trace, filtered by span name. An unknown project is a 404. */
    @GET
    @Path("/projects/{project}/spans")
    Uni<SpanPage> spans(@Url String phoenix, @PathParam("project") String project,
            @QueryParam("trace_id") String traceId, @QueryParam("name") String name,
            @QueryParam("limit") int limit, @HeaderParam("Authorization") String authorization);

    /**
     * Writes annotations. With {@code sync=true} Phoenix writes them before it answers, says their ids, and answers
     * 404 for a trace it does not have (asynchronously it would accept anything and drop it later, silently).
     */
    @POST
    @Path("/trace_annotations")
    @Consumes(MediaType.APPLICATION_JSON)
    Uni<AnnotationIds> annotate(@Url String phoenix, @QueryParam("sync") boolean sync, TraceAnnotations annotations,
            @HeaderParam("Authorization") String authorization);

    /** The latest version of a prompt. */
    @GET
    @Path("/prompts/{name}/latest")
    Uni<PromptVersionData> latestPrompt(@Url String phoenix, @PathParam("name") String name,
            @HeaderParam("Authorization") String authorization);

    /** The version of a prompt that carries the tag. */
    @GET
    @Path("/prompts/{name}/tags/{tag}")
    Uni<PromptVersionData> taggedPrompt(@Url String phoenix, @PathParam("name") String name,
            @PathParam("tag") String tag, @HeaderParam("Authorization") String authorization);

    /** One prompt version, by its id. */
    @GET
    @Path("/prompt_versions/{id}")
    Uni<PromptVersionData> promptVersion(@Url String phoenix, @PathParam("id") String id,
            @HeaderParam("Authorization") String authorization);

    @JsonIgnoreProperties(ignoreUnknown = true)
    record PromptVersionData(PromptVersion data) {
    }

    /** A prompt version: a chat template (messages) or a string template. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record PromptVersion(String id, @JsonProperty("template_type") String templateType,
            @JsonProperty("template_format") String templateFormat, PromptTemplate template) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record PromptTemplate(String type, List<PromptMessage> messages, String template) {
    }

    /** A template message; its content is text, or a list of parts of which the text ones count. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record PromptMessage(String role, JsonNode content) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record SpanPage(List<PhoenixSpan> data) {
    }

    /** A span as Phoenix returns it; its attributes are keyed by their dotted names ("user.id"). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record PhoenixSpan(String name, Map<String, Object> attributes) {
    }

    record TraceAnnotations(List<TraceAnnotation> data) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record TraceAnnotation(@JsonProperty("trace_id") String traceId, String name,
            @JsonProperty("annotator_kind") String annotatorKind, Result result, Map<String, Object> metadata,
            String identifier) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Result(String label, Integer score, String explanation) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record AnnotationIds(List<AnnotationId> data) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record AnnotationId(String id) {
    }
}
