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

    /**
     * The turn's events as they happen; a new conversation when {@code conversationId} is null. {@code labels}: who
     * asks and what the trace should carry.
     */
    public Multi<ChatEvent> stream(String conversationId, String message, TurnRequest.Labels labels) {
        return turns.turn(new TurnRequest(orNew(conversationId), message, true, labels));
    }

    /** The turn's reply, once the turn has ended; cancelling it stops the turn. */
    public Uni<ChatReply> reply(String conversationId, String message, TurnRequest.Labels labels) {
        return turns.turn(new TurnRequest(orNew(conversationId), message, false, labels))
                .select().where(event -> event instanceof ChatEvent.Completed)
                .collect().last()
                .map(event -> ((ChatEvent.Completed) event).reply());
    }

    private static String orNew(String conversationId) {
        return conversationId == null ? UUID.randomUUID().toString() : conversationId;
    }
}
