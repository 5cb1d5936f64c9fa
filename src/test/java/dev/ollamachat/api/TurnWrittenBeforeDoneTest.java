package dev.ollamachat.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.data.message.ChatMessage;
import dev.ollamachat.chat.Conversation;
import dev.ollamachat.chat.ConversationStore;
import dev.ollamachat.chat.InMemoryConversationStore;
import dev.ollamachat.support.FakeOllama;
import dev.ollamachat.support.FakeOllamaResource;
import dev.ollamachat.support.FakeOllamaResource.InjectFakeOllama;
import dev.ollamachat.support.SseClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A client that has heard a reply finds the turn in the conversation: the page lists the conversation as soon as the
 * {@code done} event comes. The store here takes {@link #WRITE_DELAY} to write a turn, so a reply sent before its turn
 * is written would be seen with the conversation still empty.
 */
@QuarkusTest
@WithTestResource(FakeOllamaResource.class)
@TestProfile(TurnWrittenBeforeDoneTest.SlowStore.class)
class TurnWrittenBeforeDoneTest {

    static final Duration WRITE_DELAY = Duration.ofMillis(500);

    public static class SlowStore implements QuarkusTestProfile {
        @Override
        public Set<Class<?>> getEnabledAlternatives() {
            return Set.of(SlowlyWritingStore.class);
        }
    }

    /** The in-memory store, whose every turn takes {@link #WRITE_DELAY} to be written. */
    @Alternative
    @ApplicationScoped
    public static class SlowlyWritingStore implements ConversationStore {

        static final AtomicInteger TURNS_WRITTEN = new AtomicInteger();

        private final ConversationStore kept = new InMemoryConversationStore(100, 20, Duration.ofHours(1).toNanos(),
                System::nanoTime, 10_000);

        @Override
        public Uni<Conversation> openTurn(String id, String owner) {
            return kept.openTurn(id, owner);
        }

        @Override
        public Uni<Void> endTurn(Conversation conversation, List<ChatMessage> turnMessages) {
            return Uni.createFrom().voidItem().onItem().delayIt().by(WRITE_DELAY)
                    .chain(() -> kept.endTurn(conversation, turnMessages))
                    .invoke(TURNS_WRITTEN::incrementAndGet);
        }

        @Override
        public Uni<Optional<List<ChatMessage>>> find(String id, String owner) {
            return kept.find(id, owner);
        }

        @Override
        public Uni<Boolean> remove(String id, String owner) {
            return kept.remove(id, owner);
        }

        @Override
        public Uni<List<Summary>> list(String owner, int limit) {
            return kept.list(owner, limit);
        }

        @Override
        public Uni<Long> size() {
            return kept.size();
        }
    }

    @InjectFakeOllama
    FakeOllama ollama;

    @BeforeEach
    void answer() {
        ollama.reset();
        ollama.answerChatWith("Written first.", 5, 2);
    }

    @Test
    void theStreamsDoneEventComesOnceTheTurnIsWritten() throws Exception {
        int writtenBefore = SlowlyWritingStore.TURNS_WRITTEN.get();
        String conversationId;
        try (SseClient client = SseClient.post(RestAssured.port, "/api/chat/stream", "{\"message\":\"Stream me\"}")) {
            assertEquals(200, client.status());
            SseClient.Event event = client.next();
            while (!"done".equals(event.name())) {
                event = client.next();
            }
            conversationId = new ObjectMapper().readTree(event.data()).get("conversationId").asText();
            // the stream is still open: the turn must already be there
            assertEquals(writtenBefore + 1, SlowlyWritingStore.TURNS_WRITTEN.get(), "the turn was written");
            assertListedWithItsTurn(conversationId, "Stream me");
        }
    }

    @Test
    void theJsonReplyComesOnceTheTurnIsWritten() {
        int writtenBefore = SlowlyWritingStore.TURNS_WRITTEN.get();
        String conversationId = given().contentType(ContentType.JSON).body("{\"message\":\"Answer me\"}")
                .when().post("/api/chat").then().statusCode(200).extract().path("conversationId");
        assertEquals(writtenBefore + 1, SlowlyWritingStore.TURNS_WRITTEN.get(), "the turn was written");
        assertListedWithItsTurn(conversationId, "Answer me");
    }

    private static void assertListedWithItsTurn(String conversationId, String question) {
        List<String> roles = given().when().get("/api/conversations/" + conversationId)
                .then().statusCode(200).extract().jsonPath().getList("messages.role");
        assertEquals(List.of("system", "user", "assistant"), roles);
        List<String> listed = given().when().get("/api/conversations")
                .then().statusCode(200).extract().jsonPath()
                .getList("conversations.findAll { it.id == '" + conversationId + "' }.firstMessage");
        assertEquals(List.of(question), listed, "the list shows the conversation by its first message");
    }
}
