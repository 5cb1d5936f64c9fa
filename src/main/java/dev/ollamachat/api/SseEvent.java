package dev.ollamachat.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.ollamachat.ProblemException;
import dev.ollamachat.chat.ChatEvent;
import dev.ollamachat.chat.ChatReply;
import dev.ollamachat.telemetry.TraceLinks;
import java.util.List;

/** The Server-Sent Events of a streamed turn: each is one named event with one JSON data line. */
public sealed interface SseEvent {

    /** The SSE event name. */
    @JsonIgnore
    String eventName();

    static SseEvent of(ChatEvent event, TraceLinks.TraceIds trace) {
        if (event instanceof ChatEvent.Token token) {
            return new Token(token.text());
        }
        if (event instanceof ChatEvent.ToolCallRequested requested) {
            return new ToolCall(requested.id(), requested.name(), requested.arguments());
        }
        if (event instanceof ChatEvent.ToolCallFinished finished) {
            return new ToolResult(finished.call().id(), finished.call().name(), finished.call().result(),
                    finished.call().error());
        }
        ChatEvent.Completed completed = (ChatEvent.Completed) event;
        ChatReply reply = completed.reply();
        return new Done(reply.conversationId(), reply.model(), reply.usage(), reply.durationMs(),
                completed.timeToFirstTokenMs(), reply.warnings(), trace.traceId(), trace.traceUrl());
    }

    static SseEvent of(ProblemException problem) {
        Problem body = Problem.of(problem);
        return new Error(body.type(), body.title(), body.status(), body.detail());
    }

    /** A piece of the reply, as Ollama sent it. */
    record Token(String text) implements SseEvent {
        @Override
        public String eventName() {
            return "token";
        }
    }

    /** The model asked for a tool. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ToolCall(String id, String name, Object arguments) implements SseEvent {
        @Override
        public String eventName() {
            return "tool_call";
        }
    }

    /** The tool answered (or failed: then {@code error} is set and {@code result} is not). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ToolResult(String id, String name, String result, String error) implements SseEvent {
        @Override
        public String eventName() {
            return "tool_result";
        }
    }

    /** The last event of a stream that succeeded. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Done(String conversationId, String model, ChatReply.TokenCounts usage, long durationMs,
            Long timeToFirstTokenMs, List<String> warnings, String traceId, String traceUrl) implements SseEvent {
        @Override
        public String eventName() {
            return "done";
        }
    }

    /** The last event of a stream that failed after it had started: the same problem a JSON answer would carry. */
    record Error(String type, String title, int status, String detail) implements SseEvent {
        @Override
        public String eventName() {
            return "error";
        }
    }
}
