package dev.ollamachat.chat;

import dev.langchain4j.data.message.ChatMessage;
import java.util.List;

/**
 * A conversation as a turn finds it: its id and the messages it kept, oldest first. The store that opened the turn
 * holds the conversation for it (one turn at a time) until {@link ConversationStore#endTurn} is called.
 *
 * @param turn the store's own handle on the open turn
 */
public record Conversation(String id, List<ChatMessage> history, Object turn) {

    public Conversation {
        history = List.copyOf(history);
    }
}
