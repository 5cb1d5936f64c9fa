package dev.ollamachat.metrics;

import dev.langchain4j.model.chat.listener.ChatModelErrorContext;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.listener.ChatModelRequestContext;
import dev.langchain4j.model.chat.listener.ChatModelResponseContext;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.TokenUsage;
import dev.ollamachat.ProblemException;
import dev.ollamachat.ollama.OllamaChatModel;
import dev.ollamachat.ollama.OllamaHosts;
import dev.ollamachat.ollama.OllamaResponseMetadata;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The OpenTelemetry GenAI client metrics of every model call, as a LangChain4j {@link ChatModelListener}:
 * {@code gen_ai.client.operation.duration} and {@code gen_ai.client.token.usage}, plus the time to the first token,
 * each by model and Ollama host. No message text goes into a label.
 */
@ApplicationScoped
class LlmMetrics implements ChatModelListener {

    static final String DURATION = "gen_ai.client.operation.duration";
    static final String TOKENS = "gen_ai.client.token.usage";
    static final String FIRST_TOKEN = "ollama_chat.llm.time_to_first_token";
    private static final String STARTED = LlmMetrics.class.getName() + ".started";

    private final MeterRegistry registry;
    private final Map<MeterKey, Meter> meters = new ConcurrentHashMap<>();

    LlmMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** The Ollama that served the call (one of OLLAMA_HOSTS), as server.address and server.port. */
    private static Tags host(Map<Object, Object> attributes) {
        if (attributes.get(OllamaChatModel.OLLAMA_HOST) instanceof OllamaHosts.Host ollama) {
            return Tags.of("server.address", ollama.address(), "server.port", Integer.toString(ollama.port()));
        }
        return Tags.of("server.address", "unknown", "server.port", "0");
    }

    @Override
    public void onRequest(ChatModelRequestContext context) {
        context.attributes().put(STARTED, System.nanoTime());
    }

    @Override
    public void onResponse(ChatModelResponseContext context) {
        ChatResponse response = context.chatResponse();
        Map<Object, Object> attributes = context.attributes();
        String requested = context.chatRequest().modelName();
        String answered = response.metadata().modelName() == null ? requested : response.metadata().modelName();
        duration(attributes, requested, answered, "none");
        TokenUsage usage = response.tokenUsage();
        if (usage != null) {
            tokens(attributes, requested, answered, "input", usage.inputTokenCount());
            tokens(attributes, requested, answered, "output", usage.outputTokenCount());
        }
        if (response.metadata() instanceof OllamaResponseMetadata ollama && ollama.timeToFirstTokenNanos() != null) {
            meter(FIRST_TOKEN, attributes, requested, answered, "", tags -> Timer.builder(FIRST_TOKEN)
                    .description("Time from the request to Ollama to its first token")
                    .tags(tags).publishPercentileHistogram().register(registry))
                    .record(Duration.ofNanos(ollama.timeToFirstTokenNanos()));
        }
    }

    @Override
    public void onError(ChatModelErrorContext context) {
        String model = context.chatRequest().modelName();
        duration(context.attributes(), model, model, errorType(context.error()));
    }

    private void duration(Map<Object, Object> attributes, String requested, String answered, String errorType) {
        if (attributes.get(STARTED) instanceof Long nanos) {
            meter(DURATION, attributes, requested, answered, errorType, tags -> Timer.builder(DURATION)
                    .description("Duration of one model call to Ollama").tags(tags.and("error.type", errorType))
                    .publishPercentileHistogram().register(registry))
                    .record(Duration.ofNanos(System.nanoTime() - nanos));
        }
    }

    private void tokens(Map<Object, Object> attributes, String requested, String answered, String type, Integer count) {
        if (count != null) {
            meter(TOKENS, attributes, requested, answered, type, tags -> DistributionSummary.builder(TOKENS)
                    .description("Tokens used by one model call").baseUnit("tokens")
                    .tags(tags.and("gen_ai.token.type", type)).register(registry))
                    .record(count);
        }
    }

    /**
     * The meter {@code name} of this Ollama host, these models and this {@code detail} (the error or token type),
     * registered once: a call finds it in a map rather than building its tags and asking the registry.
     */
    @SuppressWarnings("unchecked")
    private <M extends Meter> M meter(String name, Map<Object, Object> attributes, String requested, String answered,
            String detail, Function<Tags, M> register) {
        Object host = attributes.get(OllamaChatModel.OLLAMA_HOST);
        return (M) meters.computeIfAbsent(new MeterKey(name, host, requested, answered, detail),
                key -> register.apply(host(attributes).and("gen_ai.operation.name", "chat",
                        "gen_ai.provider.name", "ollama", "gen_ai.request.model", String.valueOf(requested),
                        "gen_ai.response.model", String.valueOf(answered))));
    }

    private record MeterKey(String name, Object host, String requested, String answered, String detail) {
    }

    /** A low-cardinality name for what went wrong: the problem's type, never a message. */
    static String errorType(Throwable error) {
        if (error instanceof CancellationException) {
            return "cancelled";
        }
        return error instanceof ProblemException problem ? problem.slug() : "other";
    }
}
