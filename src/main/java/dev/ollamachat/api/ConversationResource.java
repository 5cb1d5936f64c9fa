package dev.ollamachat.api;

import dev.ollamachat.ProblemException;
import dev.ollamachat.chat.ConversationStore;
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

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public ConversationView get(@PathParam("id") String id) {
        ChatRequest.requireValidConversationId(id);
        return conversations.find(id)
                .map(ConversationView::of)
                .orElseThrow(() -> unknown(id));
    }

    @DELETE
    public void delete(@PathParam("id") String id) {
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
