package dev.ollamachat.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.ollamachat.ProblemException;
import io.smallrye.mutiny.subscription.Cancellable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What every conversation store does, whatever keeps the conversations: run by {@code InMemoryConversationStoreTest}
 * and by {@code RedisConversationStoreTest} against a real Redis.
 */
public abstract class ConversationStoreContract {

    private static final Duration WAIT = Duration.ofSeconds(5);

    /** A fresh, empty store with these bounds. */
    protected abstract ConversationStore store(int maxConversations, int maxHistory, Duration ttl,
            long turnWaitMillis);

    protected ConversationStore store() {
        return store(10, 10, Duration.ofHours(1), 300);
    }

    /** One whole turn: opens it, writes these messages, ends it. */
    protected static void turn(ConversationStore store, String id, ChatMessage... messages) {
        Conversation conversation = store.openTurn(id, null).await().atMost(WAIT);
        store.endTurn(conversation, List.of(messages)).await().atMost(WAIT);
    }

    protected static Optional<List<ChatMessage>> find(ConversationStore store, String id) {
        return store.find(id, null).await().atMost(WAIT);
    }

    @Test
    void theNextTurnSeesWhatTheLastOneWrote() {
        ConversationStore store = store();
        turn(store, "c", SystemMessage.from("be brief"), UserMessage.from("hi"), AiMessage.from("hello"));
        Conversation next = store.openTurn("c", null).await().atMost(WAIT);
        assertEquals(List.of(SystemMessage.from("be brief"), UserMessage.from("hi"), AiMessage.from("hello")),
                next.history());
        store.endTurn(next, List.of()).await().atMost(WAIT);
        assertEquals(3, find(store, "c").orElseThrow().size(), "a turn that wrote nothing changes nothing");
    }

    @Test
    void theWindowDropsTheOldestMessagesButKeepsTheSystemMessage() {
        ConversationStore store = store(10, 4, Duration.ofHours(1), 300);
        List<ChatMessage> messages = new ArrayList<>(List.of(SystemMessage.from("system")));
        for (int i = 1; i <= 5; i++) {
            messages.add(i % 2 == 1 ? UserMessage.from("m" + i) : AiMessage.from("m" + i));
        }
        turn(store, "w", messages.toArray(ChatMessage[]::new));
        List<ChatMessage> kept = find(store, "w").orElseThrow();
        assertEquals(List.of(SystemMessage.from("system"), UserMessage.from("m3"), AiMessage.from("m4"),
                UserMessage.from("m5")), kept);
    }

    @Test
    void theLeastRecentlyUsedConversationIsEvictedFirst() throws InterruptedException {
        ConversationStore store = store(2, 10, Duration.ofHours(1), 300);
        turn(store, "a", UserMessage.from("a"));
        Thread.sleep(5);
        turn(store, "b", UserMessage.from("b"));
        Thread.sleep(5);
        assertTrue(find(store, "a").isPresent());
        Thread.sleep(5);
        turn(store, "c", UserMessage.from("c"));

        assertTrue(find(store, "a").isPresent(), "a was used after b");
        assertFalse(find(store, "b").isPresent(), "b was the least recently used");
        assertTrue(find(store, "c").isPresent());
        assertEquals(2L, store.size().await().atMost(WAIT));
    }

    @Test
    void idleConversationsAreForgotten() throws InterruptedException {
        ConversationStore store = store(10, 10, Duration.ofMillis(1_000), 300);
        turn(store, "idle", UserMessage.from("x"));
        turn(store, "busy", UserMessage.from("y"));
        Thread.sleep(600);
        assertTrue(find(store, "busy").isPresent());
        Thread.sleep(600);
        assertFalse(find(store, "idle").isPresent(), "idle for 1.2 s, past the 1 s TTL");
        assertTrue(find(store, "busy").isPresent(), "used 0.6 s ago");
        Conversation fresh = store.openTurn("idle", null).await().atMost(WAIT);
        assertEquals(List.of(), fresh.history(), "an expired id starts afresh");
        store.endTurn(fresh, List.of()).await().atMost(WAIT);
    }

    @Test
    void removeForgetsAndSaysWhetherThereWasSomething() {
        ConversationStore store = store();
        turn(store, "x", UserMessage.from("x"));
        assertTrue(store.remove("x", null).await().atMost(WAIT));
        assertFalse(store.remove("x", null).await().atMost(WAIT));
        assertFalse(find(store, "x").isPresent());
        assertFalse(find(store, "never").isPresent());
        assertEquals(0L, store.size().await().atMost(WAIT));
    }

    @Test
    void aSecondTurnWaitsForTheFirstAndGivesUpWith409() {
        ConversationStore store = store();
        Conversation first = store.openTurn("busy", null).await().atMost(WAIT);
        ProblemException busy = assertThrows(ProblemException.class,
                () -> store.openTurn("busy", null).await().atMost(WAIT));
        assertEquals(409, busy.status());
        store.endTurn(first, List.of(UserMessage.from("one"))).await().atMost(WAIT);
        Conversation next = store.openTurn("busy", null).await().atMost(WAIT);
        assertEquals(List.of(UserMessage.from("one")), next.history());
        store.endTurn(next, List.of()).await().atMost(WAIT);
    }

    @Test
    void aWaitingTurnStartsWhenThePreviousEndsAndSeesItsMessages() throws Exception {
        ConversationStore store = store(10, 10, Duration.ofHours(1), 3_000);
        Conversation first = store.openTurn("queue", null).await().atMost(WAIT);
        CompletableFuture<Conversation> second = store.openTurn("queue", null).subscribeAsCompletionStage();
        Thread.sleep(100);
        assertFalse(second.isDone(), "the second turn waits while the first runs");
        store.endTurn(first, List.of(UserMessage.from("first"))).await().atMost(WAIT);
        Conversation running = second.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals(List.of(UserMessage.from("first")), running.history(), "then it runs, after the first's write");
        CompletableFuture<Conversation> third = store.openTurn("queue", null).subscribeAsCompletionStage();
        Thread.sleep(100);
        assertFalse(third.isDone(), "one turn at a time: the third still waits");
        store.endTurn(running, List.of(UserMessage.from("second"))).await().atMost(WAIT);
        Conversation last = third.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals(2, last.history().size());
        store.endTurn(last, List.of()).await().atMost(WAIT);
    }

    @Test
    void aTurnThatGaveUpWaitingIsSkipped() throws Exception {
        ConversationStore store = store(10, 10, Duration.ofHours(1), 3_000);
        Conversation first = store.openTurn("skip", null).await().atMost(WAIT);
        Cancellable gaveUp = store.openTurn("skip", null).subscribe().with(c -> {
            throw new AssertionError("a cancelled turn must not run");
        });
        CompletableFuture<Conversation> next = store.openTurn("skip", null).subscribeAsCompletionStage();
        gaveUp.cancel();
        store.endTurn(first, List.of()).await().atMost(WAIT);
        Conversation running = next.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        store.endTurn(running, List.of()).await().atMost(WAIT);
        Conversation again = store.openTurn("skip", null).await().atMost(Duration.ofSeconds(1));
        store.endTurn(again, List.of()).await().atMost(WAIT);
    }

    @Test
    void aTurnGivenUpAtOnceLeavesTheConversationFree() {
        ConversationStore store = store(10, 10, Duration.ofHours(1), 3_000);
        for (int i = 0; i < 40; i++) {
            // cancelled while its lock request may still be on its way: it must not keep the lock afterwards (a turn
            // that did reach its caller before the cancel is ended by it, as the chat engine does)
            io.smallrye.mutiny.subscription.Cancellable opening = store.openTurn("given-up", null).subscribe()
                    .with(c -> store.endTurn(c, List.of()).subscribe().with(ended -> { }));
            java.util.concurrent.locks.LockSupport.parkNanos(i * 50_000L); // 0 to 2 ms: before, while, after
            opening.cancel();
            Conversation next = store.openTurn("given-up", null).await().atMost(Duration.ofSeconds(2));
            store.endTurn(next, List.of()).await().atMost(WAIT);
        }
    }

    @Test
    void anotherOwnerCanNeitherSeeNorContinueNorDeleteIt() {
        ConversationStore store = store();
        Conversation mine = store.openTurn("mine", "alice").await().atMost(WAIT);
        store.endTurn(mine, List.of(UserMessage.from("secret"), AiMessage.from("kept"))).await().atMost(WAIT);

        assertTrue(store.find("mine", "bob").await().atMost(WAIT).isEmpty());
        assertTrue(store.find("mine", null).await().atMost(WAIT).isEmpty(), "keys off is not a master key");
        assertFalse(store.remove("mine", "bob").await().atMost(WAIT));
        ProblemException refused = assertThrows(ProblemException.class,
                () -> store.openTurn("mine", "bob").await().atMost(WAIT));
        assertEquals(404, refused.status());
        assertTrue(store.list("bob", 10).await().atMost(WAIT).isEmpty());

        assertEquals(2, store.find("mine", "alice").await().atMost(WAIT).orElseThrow().size(),
                "the owner still has it, untouched");
        Conversation again = store.openTurn("mine", "alice").await().atMost(WAIT);
        store.endTurn(again, List.of()).await().atMost(WAIT);
        assertTrue(store.remove("mine", "alice").await().atMost(WAIT));
    }

    @Test
    void aListHoldsTheOwnersConversationsMostRecentlyUsedFirst() throws InterruptedException {
        ConversationStore store = store();
        String longMessage = "x".repeat(ConversationStore.SUMMARY_TEXT_LENGTH + 50);
        turnAs(store, "older", "alice", SystemMessage.from("be brief"), UserMessage.from("first of older"),
                AiMessage.from("a"), UserMessage.from("second of older"));
        Thread.sleep(5);
        turnAs(store, "newer", "alice", UserMessage.from(longMessage));
        turnAs(store, "bobs", "bob", UserMessage.from("bob asks"));

        List<ConversationStore.Summary> alices = store.list("alice", 10).await().atMost(WAIT);
        assertEquals(List.of("newer", "older"), alices.stream().map(ConversationStore.Summary::id).toList());
        ConversationStore.Summary older = alices.get(1);
        assertEquals("first of older", older.firstMessage());
        assertEquals(4, older.messages());
        assertTrue(!older.lastUsed().isAfter(alices.get(0).lastUsed()), alices.toString());
        assertTrue(java.time.Duration.between(older.lastUsed(), java.time.Instant.now()).abs().toSeconds() < 60,
                "last use is a wall-clock time: " + older.lastUsed());
        String cut = alices.get(0).firstMessage();
        assertEquals(ConversationStore.SUMMARY_TEXT_LENGTH, cut.length());
        assertTrue(cut.endsWith("…"), cut);

        assertEquals(List.of("newer"), store.list("alice", 1).await().atMost(WAIT).stream()
                .map(ConversationStore.Summary::id).toList(), "at most the limit");
        assertEquals(List.of("bobs"), store.list("bob", 10).await().atMost(WAIT).stream()
                .map(ConversationStore.Summary::id).toList());
        assertTrue(store.list(null, 10).await().atMost(WAIT).isEmpty());

        Thread.sleep(5);
        assertTrue(store.find("older", "alice").await().atMost(WAIT).isPresent());
        assertEquals("older", store.list("alice", 10).await().atMost(WAIT).get(0).id(), "reading it is a use");
        assertTrue(store.remove("older", "alice").await().atMost(WAIT));
        assertEquals(List.of("newer"), store.list("alice", 10).await().atMost(WAIT).stream()
                .map(ConversationStore.Summary::id).toList());
    }

    private static void turnAs(ConversationStore store, String id, String owner, ChatMessage... messages) {
        Conversation conversation = store.openTurn(id, owner).await().atMost(WAIT);
        store.endTurn(conversation, List.of(messages)).await().atMost(WAIT);
    }
}
