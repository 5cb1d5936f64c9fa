package dev.ollamachat.chat;

import dev.langchain4j.memory.ChatMemory;
import dev.ollamachat.ProblemException;
import dev.langchain4j.memory.chat.MessageWindowChatMemory;
import dev.langchain4j.store.memory.chat.InMemoryChatMemoryStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Semaphore;

/** One conversation: its message window, and a lock so that its turns run one at a time. */
public final class Conversation {

    private final String id;
    private final ChatMemory memory;
    /** A semaphore, not a lock: a streamed turn ends on another thread than the one that began it. */
    private final Semaphore turnPermit = new Semaphore(1, true);
    private volatile long lastUsedNanos;
    private volatile Turn currentTurn;

    Conversation(String id, int maxMessages, long nowNanos) {
        this.id = id;
        this.memory = MessageWindowChatMemory.builder()
                .id(id)
                .maxMessages(maxMessages)
                .chatMemoryStore(new InMemoryChatMemoryStore())
                .build();
        this.lastUsedNanos = nowNanos;
    }

    public String id() {
        return id;
    }

    public ChatMemory memory() {
        return memory;
    }

    long lastUsedNanos() {
        return lastUsedNanos;
    }

    void touch(long nowNanos) {
        lastUsedNanos = nowNanos;
    }

    /**
     * Waits (blocking, at most {@code waitMillis}) for the conversation's previous turn to finish, then opens a new
     * one; answers 409 when the previous turn is still running after that.
     */
    Turn beginTurn(long waitMillis) {
        try {
            if (!turnPermit.tryAcquire(waitMillis, TimeUnit.MILLISECONDS)) {
                throw new ProblemException(409, "conversation-busy", "Conversation busy",
                        "Conversation " + id + " is still answering an earlier message; retry later");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProblemException(503, "interrupted", "Interrupted", "The service is shutting down");
        }
        currentTurn = new Turn();
        return currentTurn;
    }

    public void endTurn() {
        currentTurn = null;
        turnPermit.release();
    }

    /** The turn in progress, where tool calls and warnings are recorded; null between turns. */
    public Turn currentTurn() {
        return currentTurn;
    }

    /** What happened during one turn besides the reply text. */
    public static final class Turn {
        private final List<ToolCall> toolCalls = new ArrayList<>();
        private final List<String> warnings = new ArrayList<>();

        public synchronized void recordToolCall(ToolCall call) {
            toolCalls.add(call);
        }

        public synchronized void warn(String warning) {
            if (!warnings.contains(warning)) {
                warnings.add(warning);
            }
        }

        public synchronized List<ToolCall> toolCalls() {
            return List.copyOf(toolCalls);
        }

        public synchronized List<String> warnings() {
            return List.copyOf(warnings);
        }
    }
}
