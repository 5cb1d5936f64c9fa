package dev.ollamachat.chat;

import dev.langchain4j.data.message.ChatMessage;
import io.smallrye.mutiny.Uni;
import java.util.List;
import java.util.Optional;

/**
 * Where conversations live: in this process ({@link InMemoryConversationStore}) or in Redis, shared by replicas
 * (CONVERSATION_STORE). Either way a conversation keeps a window of its latest messages, is forgotten after being
 * idle for CONVERSATION_TTL, and runs one turn at a time: a second turn waits, without holding a thread, up to
 * twice OLLAMA_TIMEOUT and then fails with 409.
 */
public interface ConversationStore {

    /** The conversation (new when unknown) with its next turn open, once any earlier turn of it has ended. */
    Uni<Conversation> openTurn(String id);

    /** Adds the turn's messages (none for a turn that came to nothing) and frees the conversation for the next. */
    Uni<Void> endTurn(Conversation conversation, List<ChatMessage> turnMessages);

    /** The messages a conversation keeps, or empty when there is no such conversation (any more). */
    Uni<Optional<List<ChatMessage>>> find(String id);

    /** Forgets a conversation; false when there was none. */
    Uni<Boolean> remove(String id);

    /** Conversations kept now. */
    Uni<Long> size();
}
