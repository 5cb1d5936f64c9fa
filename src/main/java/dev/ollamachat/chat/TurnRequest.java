package dev.ollamachat.chat;

/**
 * One message to answer in one conversation. {@code streamed} says whether the caller relays the reply token by
 * token (the SSE endpoint) or waits for all of it (the JSON endpoint); the turn itself runs the same way.
 * {@code user} is the name of the API key that asked, or null when authentication is off.
 */
public record TurnRequest(String conversationId, String message, boolean streamed, String user) {
}
