package dev.ollamachat.api;

import dev.ollamachat.ProblemException;
import dev.ollamachat.chat.ConversationStore;
import io.smallrye.mutiny.Uni;
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

    private final ConversationStore conversations;

    ConversationResource(ConversationStore conversations) {
        this.conversations = conversations;
    }

    @APIResponse(responseCode = "200", description = "The messages the conversation keeps")
    @APIResponse(responseCode = "400", ref = "Problem400")
    @APIResponse(responseCode = "401", ref = "Problem401")
    @APIResponse(responseCode = "429", ref = "Problem429")
    @APIResponse(responseCode = "404", ref = "Problem404")
    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<ConversationView> get(
            @PathParam("id") @Schema(pattern = ChatRequest.CONVERSATION_ID_PATTERN) String id) {
        ChatRequest.requireValidConversationId(id);
        return conversations.find(id).map(found -> found.map(messages -> ConversationView.of(id, messages))
                .orElseThrow(() -> unknown(id)));
    }

    @APIResponse(responseCode = "204", description = "Forgotten")
    @APIResponse(responseCode = "400", ref = "Problem400")
    @APIResponse(responseCode = "401", ref = "Problem401")
    @APIResponse(responseCode = "429", ref = "Problem429")
    @APIResponse(responseCode = "404", ref = "Problem404")
    @DELETE
    public Uni<Void> delete(@PathParam("id") @Schema(pattern = ChatRequest.CONVERSATION_ID_PATTERN) String id) {
        ChatRequest.requireValidConversationId(id);
        return conversations.remove(id).map(removed -> {
            if (!removed) {
                throw unknown(id);
            }
            return null;
        });
    }

    private static ProblemException unknown(String id) {
        return ProblemException.notFound("conversation-not-found",
                "No conversation with id " + id + " (it may have expired or been evicted)");
    }
}
