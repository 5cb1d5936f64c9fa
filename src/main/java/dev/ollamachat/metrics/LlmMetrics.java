package dev.ollamachat.metrics;

import dev.langchain4j.model.chat.listener.ChatModelErrorContext;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.listener.ChatModelRequestContext;
import dev.langchain4j.model.chat.listener.ChatModelResponseContext;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.TokenUsage;
import dev.ollamachat.ProblemException;
import dev.ollamachat.ollama.OllamaChatModel;
import dev.ollamachat.ollama.OllamaResponseMetadata;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CancellationException;

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

    LlmMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** The Ollama that served the call (one of OLLAMA_HOSTS), as server.address and server.port. */
    static Tags host(Map<Object, Object> attributes) {
        Object url = attributes.get(OllamaChatModel.OLLAMA_URL);
        if (url == null) {
            return Tags.of("server.address", "unknown", "server.port", "0");
        }
        URI ollama = URI.create(url.toString());
        return Tags.of("server.address", String.valueOf(ollama.getHost()),
                "server.port", Integer.toString(ollama.getPort() > 0 ? ollama.getPort()
                        : "https".equalsIgnoreCase(ollama.getScheme()) ? 443 : 80));
    }

    @Override
    public void onRequest(ChatModelRequestContext context) {
        context.attributes().put(STARTED, System.nanoTime());
    }

    @Override
    public void onResponse(ChatModelResponseContext context) {
        ChatResponse response = context.chatResponse();
        Tags tags = tags(context.attributes(), context.chatRequest().modelName(), response.metadata().modelName());
        duration(tags.and("error.type", "none"), context.attributes().get(STARTED));
        TokenUsage usage = response.tokenUsage();
        if (usage != null) {
            tokens(tags, "input", usage.inputTokenCount());
            tokens(tags, "output", usage.outputTokenCount());
        }
        if (response.metadata() instanceof OllamaResponseMetadata ollama && ollama.timeToFirstTokenNanos() != null) {
            Timer.builder(FIRST_TOKEN).description("Time from the request to Ollama to its first token")
                    .tags(tags).publishPercentileHistogram().register(registry)
                    .record(Duration.ofNanos(ollama.timeToFirstTokenNanos()));
        }
    }

    @Override
    public void onError(ChatModelErrorContext context) {
        String model = context.chatRequest().modelName();
        duration(tags(context.attributes(), model, model).and("error.type", errorType(context.error())),
                context.attributes().get(STARTED));
    }

    private static Tags tags(Map<Object, Object> attributes, String requestModel, String responseModel) {
        return host(attributes).and("gen_ai.operation.name", "chat", "gen_ai.provider.name", "ollama",
                "gen_ai.request.model", String.valueOf(requestModel),
                "gen_ai.response.model", String.valueOf(responseModel == null ? requestModel : responseModel));
    }

    private void duration(Tags tags, Object started) {
        if (started instanceof Long nanos) {
            Timer.builder(DURATION).description("Duration of one model call to Ollama").tags(tags)
                    .publishPercentileHistogram().register(registry)
                    .record(Duration.ofNanos(System.nanoTime() - nanos));
        }
    }

    private void tokens(Tags tags, String type, Integer count) {
        if (count != null) {
            DistributionSummary.builder(TOKENS).description("Tokens used by one model call").baseUnit("tokens")
                    .tags(tags.and("gen_ai.token.type", type)).register(registry).record(count);
        }
    }

    /** A low-cardinality name for what went wrong: the problem's type, never a message. */
    static String errorType(Throwable error) {
        if (error instanceof CancellationException) {
            return "cancelled";
        }
        return error instanceof ProblemException problem ? problem.slug() : "other";
    }
}
