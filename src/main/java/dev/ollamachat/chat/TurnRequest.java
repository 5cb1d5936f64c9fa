package dev.ollamachat.chat;

import java.util.List;

/**
 * One message to answer in one conversation. {@code streamed} says whether the caller relays the reply token by
 * token (the SSE endpoint) or waits for all of it (the JSON endpoint); the turn itself runs the same way.
 * {@code model} is the Ollama model asked for, or null for OLLAMA_MODEL. {@code owner} is the API key's name (null
 * when keys are off): only its conversations can be continued. {@code labels} are what the caller asked the trace to
 * carry.
 */
public record TurnRequest(String conversationId, String message, boolean streamed, String model, String owner,
        Labels labels) {

    /**
     * What a turn's trace is labelled with, none of which changes the answer: {@code user} (the API key's name, or
     * the request's user when keys are off), {@code metadataJson} (a small JSON object, as text), {@code tags} and
     * the Phoenix {@code project} to file the trace under (one of the allowed ones); each may be null.
     */
    public record Labels(String user, String metadataJson, List<String> tags, String project) {

        public static final Labels NONE = new Labels(null, null, null, null);
    }

    public String user() {
        return labels.user();
    }
}
