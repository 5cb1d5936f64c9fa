package dev.ollamachat.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ollamachat.support.PackagedJar;
import dev.ollamachat.support.RedisServer;
import dev.ollamachat.support.ScriptedOllama;
import dev.ollamachat.support.SseClient;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two replicas of the packaged jar on one real Redis (CONVERSATION_STORE=redis): a conversation begun on one goes on
 * on the other, concurrent turns through both are serialised with nothing lost or duplicated, and a replica killed
 * mid-stream leaves the conversation usable on the other within the lock lease.
 */
class TwoReplicasIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final RedisServer REDIS = new RedisServer();
    private static final ScriptedOllama OLLAMA = new ScriptedOllama();
    private static PackagedJar first;
    private static PackagedJar second;

    /** One packaged jar on the shared Redis and the scripted Ollama, configured only by environment. */
    private static PackagedJar replica(String name) throws IOException {
        return PackagedJar.startReady("replica-" + name, Map.of("OLLAMA_HOST", OLLAMA.url(), "OLLAMA_TIMEOUT", "5s",
                "CONVERSATION_STORE", "redis", "REDIS_URL", REDIS.url(), "CONVERSATION_LOCK_LEASE", "2s",
                "TELEMETRY_ENABLED", "false"));
    }

    private static HttpResponse<String> chat(PackagedJar replica, String conversationId, String message)
            throws IOException {
        return replica.postJson("/api/chat", JSON.createObjectNode().put("message", message)
                .put("conversationId", conversationId).toString());
    }

    @BeforeAll
    static void startReplicas() throws IOException {
        REDIS.start();
        OLLAMA.start();
        first = replica("a");
        second = replica("b");
    }

    @AfterAll
    static void stopReplicas() {
        for (PackagedJar replica : new PackagedJar[] {first, second}) {
            if (replica != null) {
                replica.kill();
            }
        }
        OLLAMA.stop();
        REDIS.stop();
    }

    @Test
    void aConversationBegunOnOneReplicaGoesOnOnTheOther() throws IOException {
        OLLAMA.reset();
        OLLAMA.nextChat().line(ScriptedOllama.token("First answer.")).line(ScriptedOllama.done(3, 2));
        OLLAMA.nextChat().line(ScriptedOllama.token("Second answer.")).line(ScriptedOllama.done(3, 2));
        assertEquals(200, chat(first, "handover", "first question").statusCode());
        assertEquals(200, chat(second, "handover", "second question").statusCode());
        assertTrue(OLLAMA.chatBodies().get(1).contains("first question")
                && OLLAMA.chatBodies().get(1).contains("First answer."), "the second replica sent the history");
        assertEquals(List.of("system", "user", "assistant", "user", "assistant"), roles(first, "handover"));
    }

    @Test
    void concurrentTurnsThroughBothReplicasAreSerialisedWithNothingLostOrDuplicated() throws Exception {
        OLLAMA.reset();
        for (int i = 0; i < 4; i++) {
            OLLAMA.nextChat().line(ScriptedOllama.token("Answer")).pause(300).line(ScriptedOllama.token(" done."))
                    .line(ScriptedOllama.done(3, 2));
        }
        List<CompletableFuture<Integer>> turns = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            PackagedJar replica = i % 2 == 0 ? first : second;
            String message = "question " + i;
            turns.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return chat(replica, "race", message).statusCode();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        for (CompletableFuture<Integer> turn : turns) {
            assertEquals(200, turn.get().intValue(), "every turn answered (the others waited for the lock)");
        }
        JsonNode messages = messages(second, "race");
        List<String> questions = new ArrayList<>();
        messages.forEach(m -> {
            if (m.get("role").asText().equals("user")) {
                questions.add(m.get("content").asText());
            }
        });
        assertEquals(4, questions.size(), "each question once: " + messages);
        assertEquals(4, questions.stream().distinct().count(), messages.toString());
        assertEquals(9, messages.size(), "system + 4 questions and 4 answers: " + messages);
        for (int i = 1; i < 4; i++) {
            int turn = i;
            long seen = OLLAMA.chatBodies().get(i).lines().count();
            assertTrue(questions.subList(0, turn).stream().allMatch(q -> OLLAMA.chatBodies().get(turn).contains(q)),
                    "turn " + turn + " ran after the ones before it and saw them (" + seen + ")");
        }
    }

    @Test
    void aReplicaKilledMidStreamLeavesTheConversationUsable() throws Exception {
        PackagedJar doomed = replica("doomed");
        OLLAMA.reset();
        OLLAMA.nextChat().longStory();
        try (SseClient stream = SseClient.post(doomed.port(), "/api/chat/stream",
                "{\"message\":\"tell me a long story\",\"conversationId\":\"orphaned\"}")) {
            assertEquals("token", stream.next().name(), "the story had begun");
            doomed.kill();
            doomed.awaitExit(Duration.ofSeconds(10));
        }
        OLLAMA.nextChat().line(ScriptedOllama.token("Still here.")).line(ScriptedOllama.done(3, 2));
        long started = System.nanoTime();
        HttpResponse<String> after = chat(first, "orphaned", "are you there?");
        long waitedMillis = (System.nanoTime() - started) / 1_000_000;
        assertEquals(200, after.statusCode(), after.body());
        assertTrue(waitedMillis < 5_000, "free after the 2 s lease, not the 10 s lock wait: " + waitedMillis + " ms");
        assertEquals("Still here.", JSON.readTree(after.body()).get("reply").asText());
    }

    private static List<String> roles(PackagedJar replica, String id) throws IOException {
        List<String> roles = new ArrayList<>();
        messages(replica, id).forEach(m -> roles.add(m.get("role").asText()));
        return roles;
    }

    private static JsonNode messages(PackagedJar replica, String id) throws IOException {
        HttpResponse<String> response = replica.get("/api/conversations/" + id);
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readTree(response.body()).get("messages");
    }
}
