package dev.ollamachat.api;

import dev.ollamachat.chat.ChatReply;
import dev.ollamachat.chat.ChatService;
import dev.ollamachat.config.ChatConfig;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

@Path("/api/chat")
public class ChatResource {

    private final ChatService chat;
    private final int maxMessageLength;

    ChatResource(ChatService chat, ChatConfig config) {
        this.chat = chat;
        this.maxMessageLength = config.maxMessageLength();
    }

    /** One chat turn; runs on a worker thread, because the model and tool calls block. */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public ChatReply chat(ChatRequest body) {
        ChatRequest request = ChatRequest.validated(body, maxMessageLength);
        return chat.chat(request.conversationId(), request.message());
    }
}
