package dev.ollamachat.chat;

import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.memory.ChatMemory;
import dev.langchain4j.memory.chat.MessageWindowChatMemory;
import dev.langchain4j.store.memory.chat.InMemoryChatMemoryStore;
import dev.ollamachat.ProblemException;
import io.smallrye.mutiny.Uni;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

/**
 * The conversations kept in this process (CONVERSATION_STORE=memory, the default): at most {@code maxConversations},
 * the least recently used evicted first, and any conversation idle for longer than the TTL forgotten.
 */
public final class InMemoryConversationStore implements ConversationStore {

    private final int maxConversations;
    private final int maxHistory;
    private final long ttlNanos;
    private final LongSupplier clock;
    private final long turnWaitMillis;
    /** Access-ordered: iteration starts at the least recently used conversation. */
    private final LinkedHashMap<String, Kept> conversations = new LinkedHashMap<>(64, 0.75f, true);

    public InMemoryConversationStore(int maxConversations, int maxHistory, long ttlNanos, LongSupplier clock,
            long turnWaitMillis) {
        this.turnWaitMillis = turnWaitMillis;
        this.maxConversations = maxConversations;
        this.maxHistory = maxHistory;
        this.ttlNanos = ttlNanos;
        this.clock = clock;
    }

    /** One kept conversation: its message window and the lock that runs its turns one at a time. */
    private static final class Kept {
        final String id;
        final String owner;
        final ChatMemory memory;
        final TurnLock lock = new TurnLock();
        volatile long lastUsedNanos;

        Kept(String id, String owner, int maxMessages, long nowNanos) {
            this.id = id;
            this.owner = owner;
            this.memory = MessageWindowChatMemory.builder().id(id).maxMessages(maxMessages)
                    .chatMemoryStore(new InMemoryChatMemoryStore()).build();
            this.lastUsedNanos = nowNanos;
        }
    }

    @Override
    public Uni<Conversation> openTurn(String id, String owner) {
        return Uni.createFrom().deferred(() -> {
            Kept kept = getOrCreate(id, ConversationStore.ownerKey(owner));
            CompletableFuture<Void> turn = kept.lock.request().orTimeout(turnWaitMillis, TimeUnit.MILLISECONDS);
            return Uni.createFrom().completionStage(turn)
                    .onFailure(TimeoutException.class).transform(e -> busy(id))
                    .onCancellation().invoke(() -> {
                        if (!turn.cancel(false) && !turn.isCompletedExceptionally()) {
                            kept.lock.release(); // the turn came just as the caller left
                        }
                    })
                    .map(ignored -> new Conversation(id, snapshot(kept), kept));
        });
    }

    @Override
    public Uni<Void> endTurn(Conversation conversation, List<ChatMessage> turnMessages) {
        Kept kept = (Kept) conversation.turn();
        try {
            synchronized (kept.memory) {
                turnMessages.forEach(kept.memory::add);
            }
        } finally {
            kept.lock.release();
        }
        return Uni.createFrom().voidItem();
    }

    @Override
    public Uni<Optional<List<ChatMessage>>> find(String id, String owner) {
        return Uni.createFrom().item(() -> {
            synchronized (this) {
                long now = clock.getAsLong();
                expireIdle(now);
                Kept kept = conversations.get(id);
                if (kept == null || !kept.owner.equals(ConversationStore.ownerKey(owner))) {
                    return Optional.empty();
                }
                kept.lastUsedNanos = now;
                return Optional.of(snapshot(kept));
            }
        });
    }

    @Override
    public Uni<Boolean> remove(String id, String owner) {
        return Uni.createFrom().item(() -> {
            synchronized (this) {
                expireIdle(clock.getAsLong());
                Kept kept = conversations.get(id);
                if (kept == null || !kept.owner.equals(ConversationStore.ownerKey(owner))) {
                    return false;
                }
                conversations.remove(id);
                return true;
            }
        });
    }

    @Override
    public Uni<List<Summary>> list(String owner, int limit) {
        return Uni.createFrom().item(() -> {
            List<Kept> owned = new ArrayList<>();
            long now;
            synchronized (this) {
                now = clock.getAsLong();
                expireIdle(now);
                String key = ConversationStore.ownerKey(owner);
                // iteration does not touch: access order stays as it was
                conversations.values().stream().filter(kept -> kept.owner.equals(key)).forEach(owned::add);
            }
            Instant wallNow = Instant.now();
            java.util.Collections.reverse(owned); // most recently used first
            return owned.stream().limit(limit)
                    .map(kept -> Summary.of(kept.id, snapshot(kept), wallNow.minusNanos(now - kept.lastUsedNanos)))
                    .toList();
        });
    }

    @Override
    public Uni<Long> size() {
        return Uni.createFrom().item(() -> {
            synchronized (this) {
                expireIdle(clock.getAsLong());
                return (long) conversations.size();
            }
        });
    }

    static ProblemException busy(String id) {
        return new ProblemException(409, "conversation-busy", "Conversation busy",
                "Conversation " + id + " is still answering an earlier message; retry later");
    }

    private synchronized Kept getOrCreate(String id, String owner) {
        long now = clock.getAsLong();
        expireIdle(now);
        Kept kept = conversations.get(id);
        if (kept == null) {
            kept = new Kept(id, owner, maxHistory, now);
            conversations.put(id, kept);
            evictBeyondCapacity();
        } else if (!kept.owner.equals(owner)) {
            throw ConversationStore.notFound(id);
        }
        kept.lastUsedNanos = now;
        return kept;
    }

    private static List<ChatMessage> snapshot(Kept kept) {
        synchronized (kept.memory) {
            return List.copyOf(kept.memory.messages());
        }
    }

    private void evictBeyondCapacity() {
        Iterator<Map.Entry<String, Kept>> eldestFirst = conversations.entrySet().iterator();
        while (conversations.size() > maxConversations && eldestFirst.hasNext()) {
            eldestFirst.next();
            eldestFirst.remove();
        }
    }

    /** Access order is also idle order, so expiry stops at the first conversation still fresh. */
    private void expireIdle(long now) {
        Iterator<Kept> eldestFirst = conversations.values().iterator();
        while (eldestFirst.hasNext()) {
            if (now - eldestFirst.next().lastUsedNanos < ttlNanos) {
                return;
            }
            eldestFirst.remove();
        }
    }

    /**
     * Runs a conversation's turns one at a time without blocking a thread: a turn that has to wait gets a future that
     * completes when the turn before it ends. Whoever gives up waiting completes the future exceptionally (or
     * cancels it); the lock then passes over it.
     */
    private static final class TurnLock {
        private final ArrayDeque<CompletableFuture<Void>> waiting = new ArrayDeque<>();
        private boolean running;

        synchronized CompletableFuture<Void> request() {
            if (!running) {
                running = true;
                return CompletableFuture.completedFuture(null);
            }
            CompletableFuture<Void> turn = new CompletableFuture<>();
            waiting.add(turn);
            return turn;
        }

        void release() {
            CompletableFuture<Void> next;
            synchronized (this) {
                do {
                    next = waiting.poll();
                } while (next != null && next.isDone());
                if (next == null) {
                    running = false;
                    return;
                }
            }
            // completed outside the lock: the next turn starts on this thread
            if (!next.complete(null)) {
                release(); // it gave up in the meantime
            }
        }
    }
}
