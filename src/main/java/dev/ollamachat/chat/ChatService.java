package dev.ollamachat.chat;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

/** What the endpoints call: one chat turn, streamed as events or collected into one reply. */
@ApplicationScoped
public class ChatService {

    private final ChatTurns turns;

    ChatService(ChatTurns turns) {
        this.turns = turns;
    }

    /** The turn's events as they happen; a new conversation when {@code ask} names none. */
    public Multi<ChatEvent> stream(Ask ask) {
        return turns.turn(new TurnRequest(orNew(ask.conversationId()), ask.message(), true, ask.model(), ask.owner(),
                ask.labels()));
    }

    /** The turn's reply, once the turn has ended; cancelling it stops the turn. */
    public Uni<ChatReply> reply(Ask ask) {
        return turns.turn(new TurnRequest(orNew(ask.conversationId()), ask.message(), false, ask.model(),
                ask.owner(), ask.labels()))
                .select().where(event -> event instanceof ChatEvent.Completed)
                .collect().last()
                .map(event -> ((ChatEvent.Completed) event).reply());
    }

    /**
     * What a caller asks: a message, in a conversation (null: a new one), of a model (null: OLLAMA_MODEL), as the
     * API key named {@code owner} (null with keys off), with the labels its trace should carry.
     */
    public record Ask(String conversationId, String message, String model, String owner, TurnRequest.Labels labels) {
    }

    private static String orNew(String conversationId) {
        return conversationId == null ? UUID.randomUUID().toString() : conversationId;
    }
}
