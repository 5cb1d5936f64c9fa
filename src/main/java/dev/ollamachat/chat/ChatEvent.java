package dev.ollamachat.chat;

/** What a chat turn yields, in order: tokens and tool calls as they happen, then the reply once. */
public sealed interface ChatEvent {

    /** A piece of the reply, as Ollama sent it. */
    record Token(String text) implements ChatEvent {
    }

    /** The model asked for a tool; {@code arguments} is the JSON it sent (or its text, when it was not JSON). */
    record ToolCallRequested(String id, String name, Object arguments) implements ChatEvent {
    }

    /** A tool call ended, with a result or an error. */
    record ToolCallFinished(ToolCall call) implements ChatEvent {
    }

    /** The last event of a turn that succeeded: the whole reply. */
    record Completed(ChatReply reply, Long timeToFirstTokenMs) implements ChatEvent {
    }
}
