package dev.ollamachat.api;

import dev.ollamachat.chat.ChatReply;
import dev.ollamachat.chat.ChatService;
import dev.ollamachat.config.ChatConfig;
import dev.ollamachat.telemetry.TraceLinks;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

@Path("/api/chat")
public class ChatResource {

    private final ChatService chat;
    private final TraceLinks traces;
    private final SecurityIdentity identity;
    private final int maxMessageLength;

    ChatResource(ChatService chat, TraceLinks traces, SecurityIdentity identity, ChatConfig config) {
        this.chat = chat;
        this.identity = identity;
        this.traces = traces;
        this.maxMessageLength = config.maxMessageLength();
    }

    /** One chat turn, answered when it ends. A client that goes away cancels it, and the Ollama call with it. */
    @APIResponse(responseCode = "200", description = "The reply")
    @APIResponse(responseCode = "400", description = "Invalid JSON, or a message or conversationId that is not accepted", content = @Content(mediaType = Problem.MEDIA_TYPE,
            schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "401", description = "CHAT_API_KEYS is set and the request has no valid key", content = @Content(mediaType = Problem.MEDIA_TYPE,
            schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "429", description = "More requests than RATE_LIMIT allows", content = @Content(mediaType = Problem.MEDIA_TYPE,
            schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "409", description = "The conversation is still answering an earlier message", content = @Content(mediaType = Problem.MEDIA_TYPE,
            schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "413", description = "The body is too large", content = @Content(mediaType = Problem.MEDIA_TYPE,
            schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "415", description = "The body is not application/json", content = @Content(mediaType = Problem.MEDIA_TYPE,
            schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "502", description = "Ollama answered with an error, a malformed or cut answer, or the model kept calling tools", content = @Content(mediaType = Problem.MEDIA_TYPE,
            schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = "Ollama cannot be reached", content = @Content(mediaType = Problem.MEDIA_TYPE,
            schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "504", description = "Ollama was silent for longer than OLLAMA_TIMEOUT", content = @Content(mediaType = Problem.MEDIA_TYPE,
            schema = @Schema(implementation = Problem.class)))
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<ChatReply> chat(ChatRequest body) {
        ChatRequest request = ChatRequest.validated(body, maxMessageLength);
        TraceLinks.TraceIds trace = traces.current();
        String user = identity.isAnonymous() ? null : identity.getPrincipal().getName();
        return chat.reply(request.conversationId(), request.message(), user)
                .map(reply -> reply.withTrace(trace.traceId(), trace.traceUrl()));
    }
}
