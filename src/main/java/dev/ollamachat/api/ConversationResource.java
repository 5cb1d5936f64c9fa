package dev.ollamachat.api;

import dev.ollamachat.ProblemException;
import dev.ollamachat.chat.ConversationStore;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

@Path("/api/conversations/{id}")
public class ConversationResource {

    private static final String CONVERSATION_ID = "^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$";

    private final ConversationStore conversations;

    ConversationResource(ConversationStore conversations) {
        this.conversations = conversations;
    }

    @APIResponse(responseCode = "200", description = "The messages the conversation keeps")
    @APIResponse(responseCode = "400", description = "The id is not a conversation id", content = @Content(mediaType = Problem.MEDIA_TYPE,
            schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "401", description = "CHAT_API_KEYS is set and the request has no valid key", content = @Content(mediaType = Problem.MEDIA_TYPE,
            schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "429", description = "More requests than RATE_LIMIT allows", content = @Content(mediaType = Problem.MEDIA_TYPE,
            schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "No such conversation (or it expired)", content = @Content(mediaType = Problem.MEDIA_TYPE,
            schema = @Schema(implementation = Problem.class)))
    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public ConversationView get(@PathParam("id") @Schema(pattern = CONVERSATION_ID) String id) {
        ChatRequest.requireValidConversationId(id);
        return conversations.find(id)
                .map(ConversationView::of)
                .orElseThrow(() -> unknown(id));
    }

    @APIResponse(responseCode = "204", description = "Forgotten")
    @APIResponse(responseCode = "400", description = "The id is not a conversation id", content = @Content(mediaType = Problem.MEDIA_TYPE,
            schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "401", description = "CHAT_API_KEYS is set and the request has no valid key", content = @Content(mediaType = Problem.MEDIA_TYPE,
            schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "429", description = "More requests than RATE_LIMIT allows", content = @Content(mediaType = Problem.MEDIA_TYPE,
            schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "No such conversation (or it expired)", content = @Content(mediaType = Problem.MEDIA_TYPE,
            schema = @Schema(implementation = Problem.class)))
    @DELETE
    public void delete(@PathParam("id") @Schema(pattern = CONVERSATION_ID) String id) {
        ChatRequest.requireValidConversationId(id);
        if (!conversations.remove(id)) {
            throw unknown(id);
        }
    }

    private static ProblemException unknown(String id) {
        return ProblemException.notFound("conversation-not-found",
                "No conversation with id " + id + " (it may have expired or been evicted)");
    }
}
