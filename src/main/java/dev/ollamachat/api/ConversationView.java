package dev.ollamachat.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import java.util.List;

/** The messages a conversation keeps, oldest first, as {@code GET /api/conversations/{id}} shows them. */
public record ConversationView(String conversationId, List<Message> messages) {

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Message(String role, String content, List<RequestedTool> toolCalls, String toolName) {
    }

    public record RequestedTool(String name, String arguments) {
    }

    static ConversationView of(String id, List<ChatMessage> messages) {
        return new ConversationView(id, messages.stream().map(ConversationView::message).toList());
    }

    private static Message message(ChatMessage message) {
        if (message instanceof UserMessage user) {
            return new Message("user", user.hasSingleText() ? user.singleText() : user.toString(), null, null);
        }
        if (message instanceof AiMessage ai) {
            List<RequestedTool> calls = ai.hasToolExecutionRequests()
                    ? ai.toolExecutionRequests().stream().map(ConversationView::requested).toList()
                    : null;
            return new Message("assistant", ai.text() == null ? "" : ai.text(), calls, null);
        }
        if (message instanceof ToolExecutionResultMessage tool) {
            return new Message("tool", tool.text(), null, tool.toolName());
        }
        if (message instanceof SystemMessage system) {
            return new Message("system", system.text(), null, null);
        }
        return new Message(message.type().name().toLowerCase(), message.toString(), null, null);
    }

    private static RequestedTool requested(ToolExecutionRequest request) {
        return new RequestedTool(request.name(), request.arguments());
    }
}
