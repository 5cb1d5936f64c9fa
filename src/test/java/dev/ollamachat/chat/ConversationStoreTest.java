package dev.ollamachat.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.ollamachat.ProblemException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ConversationStoreTest {

    private final AtomicLong now = new AtomicLong(1_000);

    private ConversationStore store(int maxConversations, int maxHistory, Duration ttl) {
        return new ConversationStore(maxConversations, maxHistory, ttl.toNanos(), now::get, 1_000);
    }

    @Test
    void windowDropsTheOldestMessageWhenFull() {
        Conversation conversation = store(10, 4, Duration.ofHours(1)).getOrCreate("c");
        for (int i = 1; i <= 5; i++) {
            conversation.memory().add(i % 2 == 1 ? UserMessage.from("m" + i) : AiMessage.from("m" + i));
        }
        List<ChatMessage> kept = conversation.memory().messages();
        assertEquals(4, kept.size());
        assertEquals("m2", ((AiMessage) kept.get(0)).text(), "message 5 pushed out message 1");
        assertEquals("m5", ((UserMessage) kept.get(3)).singleText());
    }

    @Test
    void leastRecentlyUsedConversationIsEvictedFirst() {
        ConversationStore store = store(2, 10, Duration.ofHours(1));
        store.getOrCreate("a");
        store.getOrCreate("b");
        store.find("a");
        store.getOrCreate("c");

        assertTrue(store.find("a").isPresent(), "a was used after b");
        assertFalse(store.find("b").isPresent(), "b was the least recently used");
        assertTrue(store.find("c").isPresent());
        assertEquals(2, store.size());
    }

    @Test
    void idleConversationsExpire() {
        ConversationStore store = store(10, 10, Duration.ofMinutes(60));
        Conversation first = store.getOrCreate("idle");
        store.getOrCreate("busy");
        now.addAndGet(Duration.ofMinutes(59).toNanos());
        store.find("busy");
        now.addAndGet(Duration.ofMinutes(2).toNanos());

        assertFalse(store.find("idle").isPresent(), "idle for 61 minutes");
        assertTrue(store.find("busy").isPresent(), "used 2 minutes ago");
        assertNotSame(first, store.getOrCreate("idle"), "an expired id starts afresh");
    }

    @Test
    void sameIdGivesTheSameConversation() {
        ConversationStore store = store(10, 10, Duration.ofHours(1));
        assertSame(store.getOrCreate("x"), store.getOrCreate("x"));
        assertTrue(store.remove("x"));
        assertFalse(store.remove("x"));
    }

    @Test
    void aSecondTurnWaitsForTheFirstAndGivesUpWith409() throws Exception {
        ConversationStore store = store(10, 10, Duration.ofHours(1));
        Conversation first = store.openTurn("busy").await().indefinitely();
        ProblemException busy = assertThrows(ProblemException.class,
                () -> store.openTurn("busy").await().indefinitely());
        assertEquals(409, busy.status());
        store.endTurn(first);
        Conversation next = store.openTurn("busy").await().indefinitely();
        assertSame(first, next);
        store.endTurn(next);
    }

    @Test
    void aWaitingTurnStartsWhenThePreviousEndsWithoutHoldingAThread() throws Exception {
        ConversationStore store = store(10, 10, Duration.ofHours(1));
        Conversation first = store.openTurn("queue").await().indefinitely();
        java.util.concurrent.CompletableFuture<Conversation> second = store.openTurn("queue")
                .subscribeAsCompletionStage();
        java.util.concurrent.CompletableFuture<Conversation> third = store.openTurn("queue")
                .subscribeAsCompletionStage();
        assertFalse(second.isDone(), "the second turn waits while the first runs");
        store.endTurn(first);
        assertSame(first, second.get(1, java.util.concurrent.TimeUnit.SECONDS), "then it runs");
        assertFalse(third.isDone(), "one turn at a time: the third still waits");
        store.endTurn(first);
        assertSame(first, third.get(1, java.util.concurrent.TimeUnit.SECONDS));
        store.endTurn(first);
    }

    @Test
    void aTurnThatGaveUpWaitingIsSkipped() throws Exception {
        ConversationStore store = store(10, 10, Duration.ofHours(1));
        Conversation first = store.openTurn("skip").await().indefinitely();
        var gaveUp = store.openTurn("skip").subscribe().with(c -> {
            throw new AssertionError("a cancelled turn must not run");
        });
        java.util.concurrent.CompletableFuture<Conversation> next = store.openTurn("skip")
                .subscribeAsCompletionStage();
        gaveUp.cancel();
        store.endTurn(first);
        assertSame(first, next.get(1, java.util.concurrent.TimeUnit.SECONDS),
                "the turn behind the one that left gets the conversation");
        store.endTurn(first);
        assertSame(first, store.openTurn("skip").await().atMost(Duration.ofSeconds(1)), "and it is free again after");
    }
}
