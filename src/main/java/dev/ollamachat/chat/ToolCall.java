package dev.ollamachat.chat;

import com.fasterxml.jackson.annotation.JsonInclude;

/** One tool execution: what the model asked for (with Ollama's call id) and what the tool answered. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ToolCall(String id, String name, String server, Object arguments, String result, String error) {
}
