package dev.ollamachat.chat;

import dev.langchain4j.exception.LangChain4jException;
import dev.langchain4j.model.output.TokenUsage;
import dev.langchain4j.service.Result;
import dev.ollamachat.ollama.OllamaFailures;
import dev.ollamachat.ollama.OllamaModels;
import dev.ollamachat.telemetry.ChatTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.ProcessingException;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/** Runs one chat turn: one at a time per conversation, through the AI service, into a {@link ChatReply}. */
@ApplicationScoped
public class ChatService {

    private final ChatAssistant assistant;
    private final ConversationStore conversations;
    private final OllamaModels models;
    private final ChatTelemetry telemetry;

    ChatService(ChatAssistant assistant, ConversationStore conversations, OllamaModels models,
            ChatTelemetry telemetry) {
        this.assistant = assistant;
        this.telemetry = telemetry;
        this.conversations = conversations;
        this.models = models;
    }

    public ChatReply chat(String conversationId, String message) {
        long started = System.nanoTime();
        String id = conversationId == null ? UUID.randomUUID().toString() : conversationId;
        Context chat = telemetry.startChat(Context.current(), id, message);
        Span chatSpan = Span.fromContext(chat);
        String reply = null;
        try (Scope ignored = chat.makeCurrent()) {
            Conversation conversation = conversations.openTurn(id);
            Conversation.Turn turn = conversation.currentTurn();
            try {
                Result<String> result = assistant.chat(id, message);
                reply = result.content();
                TraceIds trace = TraceIds.of(chatSpan, telemetry);
                return new ChatReply(id, reply, models.modelName(), turn.toolCalls(), counts(result.tokenUsage()),
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), turn.warnings(), trace.traceId(),
                        trace.traceUrl());
            } catch (LangChain4jException | ProcessingException | jakarta.ws.rs.WebApplicationException e) {
                throw OllamaFailures.translate(e, models.baseUrl(), models.modelName());
            } finally {
                conversation.endTurn();
            }
        } catch (RuntimeException e) {
            telemetry.failed(chatSpan, e);
            throw e;
        } finally {
            telemetry.endChat(chat, reply);
        }
    }

    private static ChatReply.TokenCounts counts(TokenUsage usage) {
        if (usage == null) {
            return new ChatReply.TokenCounts(0, 0);
        }
        return new ChatReply.TokenCounts(orZero(usage.inputTokenCount()), orZero(usage.outputTokenCount()));
    }

    private static int orZero(Integer count) {
        return count == null ? 0 : count;
    }
}
