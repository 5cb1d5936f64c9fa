package dev.ollamachat.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ollamachat.support.RedisServer;
import dev.ollamachat.support.ScriptedOllama;
import dev.ollamachat.support.SseClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
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
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");

    private static final RedisServer REDIS = new RedisServer();
    private static final ScriptedOllama OLLAMA = new ScriptedOllama();
    private static Replica first;
    private static Replica second;

    /** One packaged jar, configured only by environment, as a deployment would run it. */
    private record Replica(String name, Process process, int port, Path log) {

        static Replica start(String name) throws IOException {
            int port;
            try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = probe.getLocalPort();
            }
            Path log = Path.of("target", "replica-" + name + ".log");
            ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
                    .toString(), "-Xmx256m", "-jar", JAR.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            Map<String, String> env = builder.environment();
            env.put("PORT", Integer.toString(port));
            env.put("OLLAMA_HOST", OLLAMA.url());
            env.put("OLLAMA_TIMEOUT", "5s");
            env.put("CONVERSATION_STORE", "redis");
            env.put("REDIS_URL", REDIS.url());
            env.put("CONVERSATION_LOCK_LEASE", "2s");
            env.put("TELEMETRY_ENABLED", "false");
            Replica replica = new Replica(name, builder.start(), port, log);
            replica.awaitReady();
            return replica;
        }

        void awaitReady() throws IOException {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline && process.isAlive()) {
                try {
                    if (get("/q/health/ready").statusCode() == 200) {
                        return;
                    }
                } catch (IOException notYet) {
                    // not listening yet
                }
                sleep(200);
            }
            throw new IllegalStateException("replica " + name + " not ready; its log:\n" + Files.readString(log));
        }

        HttpResponse<String> get(String path) throws IOException {
            return send(HttpRequest.newBuilder(uri(path)).GET().build());
        }

        HttpResponse<String> chat(String conversationId, String message) throws IOException {
            String body = JSON.createObjectNode().put("message", message).put("conversationId", conversationId)
                    .toString();
            return send(HttpRequest.newBuilder(uri("/api/chat")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build());
        }

        private URI uri(String path) {
            return URI.create("http://127.0.0.1:" + port + path);
        }

        private static HttpResponse<String> send(HttpRequest request) throws IOException {
            try {
                return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }

        void kill() {
            process.destroyForcibly();
        }
    }

    @BeforeAll
    static void startReplicas() throws IOException {
        assertTrue(Files.exists(JAR), "run after package: " + JAR);
        REDIS.start();
        OLLAMA.start();
        first = Replica.start("a");
        second = Replica.start("b");
    }

    @AfterAll
    static void stopReplicas() {
        for (Replica replica : new Replica[] {first, second}) {
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
        assertEquals(200, first.chat("handover", "first question").statusCode());
        assertEquals(200, second.chat("handover", "second question").statusCode());
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
            Replica replica = i % 2 == 0 ? first : second;
            String message = "question " + i;
            turns.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return replica.chat("race", message).statusCode();
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
        Replica doomed = Replica.start("doomed");
        OLLAMA.reset();
        OLLAMA.nextChat().longStory();
        try (SseClient stream = SseClient.post(doomed.port(), "/api/chat/stream",
                "{\"message\":\"tell me a long story\",\"conversationId\":\"orphaned\"}")) {
            assertEquals("token", stream.next().name(), "the story had begun");
            doomed.kill();
            doomed.process().waitFor();
        }
        OLLAMA.nextChat().line(ScriptedOllama.token("Still here.")).line(ScriptedOllama.done(3, 2));
        long started = System.nanoTime();
        HttpResponse<String> after = first.chat("orphaned", "are you there?");
        long waitedMillis = (System.nanoTime() - started) / 1_000_000;
        assertEquals(200, after.statusCode(), after.body());
        assertTrue(waitedMillis < 5_000, "free after the 2 s lease, not the 10 s lock wait: " + waitedMillis + " ms");
        assertEquals("Still here.", JSON.readTree(after.body()).get("reply").asText());
    }

    private static List<String> roles(Replica replica, String id) throws IOException {
        List<String> roles = new ArrayList<>();
        messages(replica, id).forEach(m -> roles.add(m.get("role").asText()));
        return roles;
    }

    private static JsonNode messages(Replica replica, String id) throws IOException {
        HttpResponse<String> response = replica.get("/api/conversations/" + id);
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readTree(response.body()).get("messages");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
