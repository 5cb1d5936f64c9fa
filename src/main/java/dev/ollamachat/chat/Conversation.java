package dev.ollamachat.chat;

import dev.langchain4j.memory.ChatMemory;
import dev.langchain4j.memory.chat.MessageWindowChatMemory;
import dev.langchain4j.store.memory.chat.InMemoryChatMemoryStore;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

/**
 * One conversation: its message window, and a turn lock so that its turns run one at a time. The lock never
 * blocks a thread: a turn that has to wait gets a future that completes when the turn before it ends.
 */
public final class Conversation {

    private final String id;
    private final ChatMemory memory;
    private final ArrayDeque<CompletableFuture<Void>> waitingTurns = new ArrayDeque<>();
    private boolean turnRunning;
    private volatile long lastUsedNanos;

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
     * Asks for the next turn: completed at once when no turn is running, else when the running one ends. Whoever
     * gives up waiting completes the future exceptionally (or cancels it); the lock then passes over it.
     */
    CompletableFuture<Void> requestTurn() {
        synchronized (this) {
            if (!turnRunning) {
                turnRunning = true;
                return CompletableFuture.completedFuture(null);
            }
            CompletableFuture<Void> waiting = new CompletableFuture<>();
            waitingTurns.add(waiting);
            return waiting;
        }
    }

    /** Ends the running turn and hands the conversation to the next turn still waiting, if any. */
    void endTurn() {
        CompletableFuture<Void> next;
        synchronized (this) {
            do {
                next = waitingTurns.poll();
            } while (next != null && next.isDone());
            if (next == null) {
                turnRunning = false;
                return;
            }
        }
        // completed outside the lock: the next turn starts on this thread
        if (!next.complete(null)) {
            endTurn(); // it gave up in the meantime
        }
    }
}
