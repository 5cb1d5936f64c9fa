package dev.ollamachat.api;

import dev.ollamachat.chat.ConversationStore;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** The caller's conversations: those started with its API key (every conversation when keys are off). */
@Path("/api/conversations")
public class ConversationResource {

    /** Most conversations one list shows. */
    static final int LIST_LIMIT = 100;

    private final ConversationStore conversations;
    private final SecurityIdentity identity;

    ConversationResource(ConversationStore conversations, SecurityIdentity identity) {
        this.conversations = conversations;
        this.identity = identity;
    }

    @APIResponse(responseCode = "200", description = "The caller's conversations, the most recently used first "
            + "(at most 100)")
    @APIResponse(responseCode = "401", ref = "Problem401")
    @APIResponse(responseCode = "429", ref = "Problem429")
    @APIResponse(responseCode = "503", ref = "Problem503")
    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<ConversationList> list() {
        return conversations.list(owner(), LIST_LIMIT).map(summaries -> new ConversationList(summaries.stream()
                .map(s -> new ConversationSummary(s.id(), s.firstMessage(), s.messages(), s.lastUsed()))
                .toList()));
    }

    @APIResponse(responseCode = "200", description = "The messages the conversation keeps")
    @APIResponse(responseCode = "400", ref = "Problem400")
    @APIResponse(responseCode = "401", ref = "Problem401")
    @APIResponse(responseCode = "429", ref = "Problem429")
    @APIResponse(responseCode = "404", ref = "Problem404")
    @APIResponse(responseCode = "503", ref = "Problem503")
    @GET
    @Path("{id}")
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<ConversationView> get(
            @PathParam("id") @Schema(pattern = ChatRequest.CONVERSATION_ID_PATTERN) String id) {
        ChatRequest.requireValidConversationId(id);
        return conversations.find(id, owner()).map(found -> found.map(messages -> ConversationView.of(id, messages))
                .orElseThrow(() -> ConversationStore.notFound(id)));
    }

    @APIResponse(responseCode = "204", description = "Forgotten")
    @APIResponse(responseCode = "400", ref = "Problem400")
    @APIResponse(responseCode = "401", ref = "Problem401")
    @APIResponse(responseCode = "429", ref = "Problem429")
    @APIResponse(responseCode = "404", ref = "Problem404")
    @APIResponse(responseCode = "503", ref = "Problem503")
    @DELETE
    @Path("{id}")
    public Uni<Void> delete(@PathParam("id") @Schema(pattern = ChatRequest.CONVERSATION_ID_PATTERN) String id) {
        ChatRequest.requireValidConversationId(id);
        return conversations.remove(id, owner()).map(removed -> {
            if (!removed) {
                throw ConversationStore.notFound(id);
            }
            return null;
        });
    }

    /** The API key's name, or null when keys are off. */
    private String owner() {
        return identity.isAnonymous() ? null : identity.getPrincipal().getName();
    }

    /** {@code GET /api/conversations}. */
    public record ConversationList(List<ConversationSummary> conversations) {
    }

    /**
     * One conversation in the list: its first user message still kept (cut to 200 characters; null when the window
     * no longer holds one), the messages it keeps, and when it was last used.
     */
    public record ConversationSummary(String id, @Schema(nullable = true) String firstMessage, int messages,
            Instant lastUsed) {
    }
}
