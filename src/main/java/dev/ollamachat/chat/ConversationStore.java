package dev.ollamachat.chat;

import dev.ollamachat.ProblemException;
import dev.ollamachat.config.ChatConfig;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

/**
 * The conversations kept in memory: at most {@code maxConversations}, least recently used evicted first,
 * and any conversation idle for longer than the TTL is forgotten.
 */
@ApplicationScoped
public class ConversationStore {

    private final int maxConversations;
    private final int maxHistory;
    private final long ttlNanos;
    private final LongSupplier clock;
    private final long turnWaitMillis;
    /** Access-ordered: iteration starts at the least recently used conversation. */
    private final LinkedHashMap<String, Conversation> conversations = new LinkedHashMap<>(64, 0.75f, true);

    @Inject
    ConversationStore(ChatConfig config) {
        this(config.conversations().maxConversations(), config.conversations().maxHistory(),
                config.conversations().ttl().toNanos(), System::nanoTime,
                config.ollama().timeout().multipliedBy(2).toMillis());
    }

    ConversationStore(int maxConversations, int maxHistory, long ttlNanos, LongSupplier clock, long turnWaitMillis) {
        this.turnWaitMillis = turnWaitMillis;
        this.maxConversations = maxConversations;
        this.maxHistory = maxHistory;
        this.ttlNanos = ttlNanos;
        this.clock = clock;
    }

    public synchronized Conversation getOrCreate(String id) {
        long now = clock.getAsLong();
        expireIdle(now);
        Conversation conversation = conversations.get(id);
        if (conversation == null) {
            conversation = new Conversation(id, maxHistory, now);
            conversations.put(id, conversation);
            evictBeyondCapacity();
        }
        conversation.touch(now);
        return conversation;
    }

    /**
     * The conversation with its next turn open, once an earlier turn of it has ended: waits (without holding a
     * thread) up to twice the Ollama timeout, then fails with 409. The caller ends the turn with
     * {@link #endTurn(Conversation)}. A subscriber that cancels while waiting leaves the queue.
     */
    public Uni<Conversation> openTurn(String id) {
        return Uni.createFrom().deferred(() -> {
            Conversation conversation = getOrCreate(id);
            CompletableFuture<Void> turn = conversation.requestTurn().orTimeout(turnWaitMillis, TimeUnit.MILLISECONDS);
            return Uni.createFrom().completionStage(turn)
                    .onFailure(TimeoutException.class).transform(e -> new ProblemException(409, "conversation-busy",
                            "Conversation busy",
                            "Conversation " + id + " is still answering an earlier message; retry later"))
                    .onCancellation().invoke(() -> {
                        if (!turn.cancel(false) && !turn.isCompletedExceptionally()) {
                            conversation.endTurn(); // the turn came just as the caller left
                        }
                    })
                    .replaceWith(conversation);
        });
    }

    /** Ends a turn opened by {@link #openTurn(String)}. */
    public void endTurn(Conversation conversation) {
        conversation.endTurn();
    }

    public synchronized Optional<Conversation> find(String id) {
        long now = clock.getAsLong();
        expireIdle(now);
        Conversation conversation = conversations.get(id);
        if (conversation != null) {
            conversation.touch(now);
        }
        return Optional.ofNullable(conversation);
    }

    public synchronized boolean remove(String id) {
        expireIdle(clock.getAsLong());
        return conversations.remove(id) != null;
    }

    public synchronized int size() {
        expireIdle(clock.getAsLong());
        return conversations.size();
    }

    private void evictBeyondCapacity() {
        Iterator<Map.Entry<String, Conversation>> eldestFirst = conversations.entrySet().iterator();
        while (conversations.size() > maxConversations && eldestFirst.hasNext()) {
            eldestFirst.next();
            eldestFirst.remove();
        }
    }

    /** Access order is also idle order, so expiry stops at the first conversation still fresh. */
    private void expireIdle(long now) {
        Iterator<Conversation> eldestFirst = conversations.values().iterator();
        while (eldestFirst.hasNext()) {
            if (now - eldestFirst.next().lastUsedNanos() < ttlNanos) {
                return;
            }
            eldestFirst.remove();
        }
    }
}
