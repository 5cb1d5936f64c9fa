package dev.ollamachat.metrics;

import dev.ollamachat.chat.ChatEvent;
import dev.ollamachat.chat.ChatTurns;
import dev.ollamachat.chat.ConversationStore;
import dev.ollamachat.chat.TurnRequest;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Multi;
import jakarta.annotation.Priority;
import jakarta.decorator.Decorator;
import jakarta.decorator.Delegate;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Chat turns by endpoint and outcome ({@code ollama_chat.chat.turns}, a timer), the streams open now
 * ({@code ollama_chat.streams.active}) and the conversations kept ({@code ollama_chat.conversations}), as a
 * decorator around the chat engine. The outcome is {@code completed}, {@code cancelled} (the client left) or the
 * problem type the turn failed with ({@code ollama-timeout}, {@code conversation-busy}, ...).
 */
@Decorator
@Priority(20)
class TurnMetrics implements ChatTurns {

    static final String TURNS = "ollama_chat.chat.turns";
    static final String ACTIVE_STREAMS = "ollama_chat.streams.active";
    static final String CONVERSATIONS = "ollama_chat.conversations";
    private static final long SIZE_REFRESH_NANOS = TimeUnit.SECONDS.toNanos(1);

    @Inject
    @Delegate
    ChatTurns engine;

    private final MeterRegistry registry;
    private final ConversationStore conversations;
    private final AtomicInteger activeStreams = new AtomicInteger();
    /** The timer of each endpoint and outcome, registered once rather than looked up for every turn. */
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();
    private final AtomicLong conversationCount = new AtomicLong();
    private final AtomicLong sizeAskedAt = new AtomicLong(System.nanoTime() - SIZE_REFRESH_NANOS);

    @Inject
    TurnMetrics(MeterRegistry registry, ConversationStore conversations) {
        this.registry = registry;
        this.conversations = conversations;
        Gauge.builder(ACTIVE_STREAMS, activeStreams, AtomicInteger::get)
                .description("SSE chat streams open now").register(registry);
        Gauge.builder(CONVERSATIONS, this, TurnMetrics::conversationsKept)
                .description("Conversations the store keeps (refreshed at most once a second)").register(registry);
    }

    @Override
    public Multi<ChatEvent> turn(TurnRequest request) {
        String endpoint = request.streamed() ? "stream" : "chat";
        AtomicBoolean counted = new AtomicBoolean();
        return Multi.createFrom().deferred(() -> {
            long started = System.nanoTime();
            if (request.streamed()) {
                activeStreams.incrementAndGet();
            }
            return engine.turn(request)
                    .onCompletion().invoke(() -> count(counted, endpoint, "completed", started, request))
                    .onFailure().invoke(failure -> count(counted, endpoint, LlmMetrics.errorType(failure), started,
                            request))
                    .onCancellation().invoke(() -> count(counted, endpoint, "cancelled", started, request));
        });
    }

    private void count(AtomicBoolean counted, String endpoint, String outcome, long started, TurnRequest request) {
        if (!counted.compareAndSet(false, true)) {
            return;
        }
        if (request.streamed()) {
            activeStreams.decrementAndGet();
        }
        timers.computeIfAbsent(endpoint + " " + outcome, key -> Timer.builder(TURNS)
                .description("Chat turns, by endpoint and outcome").tag("endpoint", endpoint).tag("outcome", outcome)
                .publishPercentileHistogram().register(registry))
                .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
    }

    /** The last size the store reported; asks it again (without waiting) when that is over a second old. */
    private double conversationsKept() {
        long asked = sizeAskedAt.get();
        long now = System.nanoTime();
        if (now - asked >= SIZE_REFRESH_NANOS && sizeAskedAt.compareAndSet(asked, now)) {
            conversations.size().subscribe().with(conversationCount::set, failure -> {
            });
        }
        return conversationCount.get();
    }
}
