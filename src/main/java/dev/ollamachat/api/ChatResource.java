package dev.ollamachat.api;

import dev.ollamachat.chat.ChatReply;
import dev.ollamachat.chat.ChatService;
import dev.ollamachat.config.ChatConfig;
import dev.ollamachat.telemetry.TraceLinks;
import dev.ollamachat.telemetry.TraceProjects;
import java.util.Set;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
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
    /** The Phoenix projects a request may name. */
    private final Set<String> projects;

    ChatResource(ChatService chat, TraceLinks traces, TraceProjects projects, SecurityIdentity identity,
            ChatConfig config) {
        this.projects = projects.allowed();
        this.chat = chat;
        this.identity = identity;
        this.traces = traces;
        this.maxMessageLength = config.maxMessageLength();
    }

    /** One chat turn, answered when it ends. A client that goes away cancels it, and the Ollama call with it. */
    @APIResponse(responseCode = "200", description = "The reply")
    @APIResponse(responseCode = "400", ref = "Problem400")
    @APIResponse(responseCode = "401", ref = "Problem401")
    @APIResponse(responseCode = "404", ref = "Problem404")
    @APIResponse(responseCode = "429", ref = "Problem429")
    @APIResponse(responseCode = "409", ref = "Problem409")
    @APIResponse(responseCode = "413", ref = "Problem413")
    @APIResponse(responseCode = "415", ref = "Problem415")
    @APIResponse(responseCode = "502", ref = "Problem502")
    @APIResponse(responseCode = "503", ref = "Problem503")
    @APIResponse(responseCode = "504", ref = "Problem504")
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<ChatReply> chat(ChatRequest body) {
        ChatRequest request = ChatRequest.validated(body, maxMessageLength, projects);
        TraceLinks.TraceIds trace = traces.current();
        String user = identity.isAnonymous() ? null : identity.getPrincipal().getName();
        return chat.reply(request.ask(user))
                .map(reply -> reply.withTrace(trace.traceId(), trace.traceUrl()));
    }
}
