package dev.ollamachat.chat;

import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.ollamachat.ProblemException;
import java.time.Instant;
import io.smallrye.mutiny.Uni;
import java.util.List;
import java.util.Optional;

/**
 * Where conversations live: in this process ({@link InMemoryConversationStore}) or in Redis, shared by replicas
 * (CONVERSATION_STORE). Either way a conversation keeps a window of its latest messages, is forgotten after being
 * idle for CONVERSATION_TTL, and runs one turn at a time: a second turn waits, without holding a thread, up to
 * twice OLLAMA_TIMEOUT and then fails with 409.
 *
 * <p>A conversation belongs to the API key that started it ({@code owner}, the key's name; null when API keys are off,
 * which makes every conversation everyone's). Another key cannot see, continue or delete it: to that key it does not
 * exist.
 */
public interface ConversationStore {

    /** Longest first message a {@link Summary} carries, in characters. */
    int SUMMARY_TEXT_LENGTH = 200;

    /**
     * The conversation (new when unknown) with its next turn open, once any earlier turn of it has ended; a 404
     * problem when it belongs to another owner.
     */
    Uni<Conversation> openTurn(String id, String owner);

    /** Adds the turn's messages (none for a turn that came to nothing) and frees the conversation for the next. */
    Uni<Void> endTurn(Conversation conversation, List<ChatMessage> turnMessages);

    /** The messages a conversation of this owner keeps, or empty when it has no such conversation (any more). */
    Uni<Optional<List<ChatMessage>>> find(String id, String owner);

    /** Forgets a conversation of this owner; false when it had none. */
    Uni<Boolean> remove(String id, String owner);

    /** This owner's conversations, the most recently used first, at most {@code limit}. */
    Uni<List<Summary>> list(String owner, int limit);

    /**
     * What a list shows of one conversation: its id, its first user message still kept (cut to
     * {@value #SUMMARY_TEXT_LENGTH} characters; null when none is), how many messages it keeps, and its last use.
     */
    record Summary(String id, String firstMessage, int messages, Instant lastUsed) {

        /** The summary of kept messages. */
        public static Summary of(String id, List<ChatMessage> messages, Instant lastUsed) {
            String first = messages.stream().filter(UserMessage.class::isInstance).map(UserMessage.class::cast)
                    .filter(UserMessage::hasSingleText).map(UserMessage::singleText).findFirst().orElse(null);
            if (first != null && first.codePointCount(0, first.length()) > SUMMARY_TEXT_LENGTH) {
                first = first.substring(0, first.offsetByCodePoints(0, SUMMARY_TEXT_LENGTH - 1)) + "…";
            }
            return new Summary(id, first, messages.size(), lastUsed);
        }
    }

    /** The 404 of a conversation this owner does not have. */
    static ProblemException notFound(String id) {
        return ProblemException.notFound("conversation-not-found",
                "No conversation with id " + id + " (it may have expired or been evicted, or belong to another API key)");
    }

    /** The owner as stored: the API key's name, or "" when keys are off. */
    static String ownerKey(String owner) {
        return owner == null ? "" : owner;
    }

    /** Conversations kept now. */
    Uni<Long> size();
}
