package dev.ollamachat.chat;

import io.smallrye.mutiny.Multi;

/**
 * Runs chat turns. {@link ChatEngine} is the one implementation; decorators hook in here (the turn span does).
 */
public interface ChatTurns {

    /**
     * The events of one turn, ending with {@link ChatEvent.Completed}, or a failure carrying a
     * {@link dev.ollamachat.ProblemException}. Nothing happens until it is subscribed; cancelling it stops the turn
     * and the Ollama call in flight.
     */
    Multi<ChatEvent> turn(TurnRequest request);
}
