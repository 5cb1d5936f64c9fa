package dev.ollamachat.chat;

import dev.langchain4j.memory.ChatMemory;
import dev.langchain4j.memory.chat.ChatMemoryProvider;
import jakarta.enterprise.context.ApplicationScoped;

/** Gives the AI service the message window of the conversation it is asked about. */
@ApplicationScoped
public class ConversationMemoryProvider implements ChatMemoryProvider {

    private final ConversationStore store;

    ConversationMemoryProvider(ConversationStore store) {
        this.store = store;
    }

    @Override
    public ChatMemory get(Object conversationId) {
        return store.getOrCreate(conversationId.toString()).memory();
    }
}
