package dev.ollamachat.ollama;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.internal.JsonSchemaElementUtils;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.listener.ChatModelErrorContext;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.listener.ChatModelRequestContext;
import dev.langchain4j.model.chat.listener.ChatModelResponseContext;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import dev.ollamachat.ProblemException;
import dev.ollamachat.config.ChatConfig;
import io.quarkus.arc.All;
import io.smallrye.mutiny.Multi;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * The Ollama chat model as a LangChain4j {@link StreamingChatModel}, built from run-time settings (OLLAMA_HOST,
 * OLLAMA_MODEL, OLLAMA_TEMPERATURE, OLLAMA_TIMEOUT). Every call streams Ollama's NDJSON, tells every CDI
 * {@link ChatModelListener} about its request, response or error, and can be cancelled: {@link #stream} returns a
 * {@link Multi} whose cancellation closes the connection to Ollama.
 *
 * <p>The fault contract: a line that is not JSON, an {@code {"error": ...}} line, or a stream that ends without its
 * {@code done} line fails the call with a 502 problem; silence longer than OLLAMA_TIMEOUT fails it with a 504; a
 * connection that cannot be made or breaks is translated by {@link OllamaFailures}.
 */
@ApplicationScoped
public class OllamaChatModel implements StreamingChatModel {

    private static final Logger LOG = Logger.getLogger(OllamaChatModel.class);
    private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {
    };
    private static final int SHOWN_LINE_LENGTH = 200;

    /**
     * The key under which a call's listeners find the Ollama that served it, an {@link OllamaHosts.Host} (in the
     * context attributes).
     */
    public static final String OLLAMA_HOST = OllamaChatModel.class.getName() + ".ollama-host";
    /**
     * The key under which a call's listeners find, when it failed or was cancelled, the text Ollama had sent until
     * then (a String, absent when there was none).
     */
    public static final String PARTIAL_TEXT = OllamaChatModel.class.getName() + ".partial-text";

    private final OllamaChatClient api;
    private final OllamaHosts hosts;
    private final ChatConfig.Ollama config;
    private final ObjectMapper json;
    private final ObjectReader chunkReader;
    private final List<ChatModelListener> listeners;
    private final ChatRequestParameters defaults;

    OllamaChatModel(OllamaChatClient api, OllamaHosts hosts, ChatConfig config, ObjectMapper json,
            @All List<ChatModelListener> listeners) {
        this.api = api;
        this.hosts = hosts;
        this.config = config.ollama();
        this.json = json;
        this.chunkReader = json.readerFor(OllamaWire.Chunk.class);
        this.listeners = List.copyOf(listeners);
        this.defaults = ChatRequestParameters.builder()
                .modelName(this.config.model())
                .temperature(this.config.temperature().orElse(null))
                .build();
    }

    /** The configured model (OLLAMA_MODEL). */
    public String modelName() {
        return config.model();
    }

    @Override
    public ChatRequestParameters defaultRequestParameters() {
        return defaults;
    }

    @Override
    public List<ChatModelListener> listeners() {
        return listeners;
    }

    @Override
    public ModelProvider provider() {
        return ModelProvider.OLLAMA;
    }

    /** LangChain4j's callback API over {@link #stream}: the same call, the same listeners. */
    @Override
    public void chat(ChatRequest request, StreamingChatResponseHandler handler) {
        stream(request).subscribe().with(output -> {
            if (output instanceof ModelOutput.Text text) {
                handler.onPartialResponse(text.text());
            } else if (output instanceof ModelOutput.Complete complete) {
                handler.onCompleteResponse(complete.response());
            }
        }, handler::onError);
    }

    /**
     * One model call: the pieces of text as Ollama sends them, then the whole response. Nothing happens until it is
     * subscribed; cancelling it closes the connection to Ollama and tells the listeners.
     */
    public Multi<ModelOutput> stream(ChatRequest request) {
        ChatRequest complete = ChatRequest.builder()
                .messages(request.messages())
                .parameters(defaults.overrideWith(request.parameters()))
                .build();
        return Multi.createFrom().deferred(() -> {
            ModelCall call = new ModelCall(complete);
            call.notifyRequest();
            return attempt(call, wire(complete), new HashSet<>())
                    .onItem().transformToIterable(call::accept)
                    .onCompletion().switchTo(() -> Multi.createFrom().item(call::complete))
                    .onFailure().transform(call::failed)
                    .onCancellation().invoke(call::cancelled);
        });
    }

    /**
     * The call on one host. Until that host has sent a line, a host that cannot be reached, or lacks the model, hands
     * the call to the next host not tried yet; once it answers, the call stays with it.
     */
    private Multi<byte[]> attempt(ModelCall call, OllamaWire.ChatRequest wire, Set<OllamaHosts.Host> tried) {
        OllamaHosts.Host host = hosts.pick(tried);
        tried.add(host);
        call.on(host);
        hosts.started(host);
        return api.chat(host.url(), wire, config.timeout())
                .onTermination().invoke(() -> hosts.ended(host))
                .onFailure(failure -> !call.answered && tryAnother(host, failure, call, tried))
                .recoverWithMulti(failure -> attempt(call, wire, tried));
    }

    /** Whether a failure before the first line should move the call to another host (marking this one if down). */
    private boolean tryAnother(OllamaHosts.Host host, Throwable failure, ModelCall call, Set<OllamaHosts.Host> tried) {
        String slug = OllamaFailures.translate(failure, host.url(), call.request.modelName()).slug();
        if (slug.equals("ollama-unreachable")) {
            hosts.unreachable(host);
        } else if (!slug.equals("ollama-model-not-found")) {
            return false;
        }
        return tried.size() < hosts.all().size();
    }

    /** One call's state while its lines go by. */
    private final class ModelCall {
        private final ChatRequest request;
        private final Map<Object, Object> attributes = new ConcurrentHashMap<>();
        private volatile String ollama = hosts.firstUrl();
        private volatile OllamaHosts.Host host;
        /** A host has sent a line: the call stays with it. */
        private volatile boolean answered;
        private final AtomicBoolean ended = new AtomicBoolean();
        private final long startedNanos = System.nanoTime();
        private final StringBuilder text = new StringBuilder();
        private final List<ToolExecutionRequest> toolRequests = new ArrayList<>();
        private Long timeToFirstTokenNanos;
        private OllamaWire.Chunk done;

        ModelCall(ChatRequest request) {
            this.request = request;
        }

        /** The host the call goes to now; the listeners find it in the attributes. */
        void on(OllamaHosts.Host host) {
            this.host = host;
            ollama = host.url();
            attributes.put(OLLAMA_HOST, host);
        }

        List<ModelOutput> accept(byte[] line) {
            if (!answered) {
                answered = true;
                hosts.reachable(host);
            }
            if (done != null || isBlank(line)) {
                return List.of();
            }
            OllamaWire.Chunk chunk = parse(line);
            if (chunk.error() != null) {
                throw new ProblemException(502, "ollama-stream-error", "Ollama failed while answering",
                        "Ollama at " + ollama + " reported: " + chunk.error());
            }
            List<ModelOutput> outputs = List.of();
            OllamaWire.Message message = chunk.message();
            if (message != null) {
                if (message.content() != null && !message.content().isEmpty()) {
                    if (timeToFirstTokenNanos == null) {
                        timeToFirstTokenNanos = System.nanoTime() - startedNanos;
                    }
                    synchronized (text) {
                        text.append(message.content());
                    }
                    outputs = List.of(new ModelOutput.Text(message.content()));
                }
                if (message.toolCalls() != null) {
                    message.toolCalls().forEach(this::addToolRequest);
                }
            }
            if (chunk.done()) {
                done = chunk;
            }
            return outputs;
        }

        private OllamaWire.Chunk parse(byte[] line) {
            try {
                OllamaWire.Chunk chunk = chunkReader.readValue(line);
                if (chunk == null) {
                    throw new IOException("null");
                }
                return chunk;
            } catch (IOException e) {
                String shown = new String(line, StandardCharsets.UTF_8);
                if (shown.length() > SHOWN_LINE_LENGTH) {
                    shown = shown.substring(0, SHOWN_LINE_LENGTH) + "...";
                }
                throw new ProblemException(502, "ollama-bad-response", "Ollama sent a malformed answer",
                        "Ollama at " + ollama + " sent a line that is not a chat chunk: " + shown);
            }
        }

        private void addToolRequest(OllamaWire.ToolCall call) {
            String id = call.id() != null && !call.id().isBlank() ? call.id() : "call_" + (toolRequests.size() + 1);
            String name = call.function() == null ? null : call.function().name();
            if (name == null || name.isBlank()) {
                throw new ProblemException(502, "ollama-bad-response", "Ollama sent a malformed answer",
                        "Ollama at " + ollama + " sent a tool call without a function name");
            }
            toolRequests.add(ToolExecutionRequest.builder()
                    .id(id)
                    .name(name)
                    .arguments(argumentsJson(call.function().arguments()))
                    .build());
        }

        /** The stream ended: the whole response, or a 502 when Ollama never said it was done. */
        ModelOutput complete() {
            if (done == null) {
                throw new ProblemException(502, "ollama-stream-cut", "Ollama's answer was cut off",
                        "Ollama at " + ollama + " ended its answer before its last (done) line");
            }
            AiMessage message = toolRequests.isEmpty() ? AiMessage.from(text.toString())
                    : new AiMessage(text.toString(), List.copyOf(toolRequests));
            ChatResponse response = ChatResponse.builder()
                    .aiMessage(message)
                    .metadata(OllamaResponseMetadata.ollamaBuilder()
                            .modelName(done.model() == null ? request.modelName() : done.model())
                            .tokenUsage(new TokenUsage(done.promptEvalCount(), done.evalCount()))
                            .finishReason(finishReason(done.doneReason(), !toolRequests.isEmpty()))
                            .timeToFirstTokenNanos(timeToFirstTokenNanos)
                            .build())
                    .build();
            notifyResponse(response);
            return new ModelOutput.Complete(response);
        }

        Throwable failed(Throwable failure) {
            ProblemException problem = OllamaFailures.translate(failure, ollama, request.modelName());
            if (ended.compareAndSet(false, true)) {
                keepPartialText();
                ChatModelErrorContext context = new ChatModelErrorContext(problem, request, provider(), attributes);
                listeners.forEach(l -> notify(() -> l.onError(context)));
            }
            return problem;
        }

        void cancelled() {
            if (ended.compareAndSet(false, true)) {
                keepPartialText();
                ChatModelErrorContext context = new ChatModelErrorContext(new ModelCallCancelledException(), request,
                        provider(), attributes);
                listeners.forEach(l -> notify(() -> l.onError(context)));
            }
        }

        private void keepPartialText() {
            synchronized (text) {
                if (!text.isEmpty()) {
                    attributes.put(PARTIAL_TEXT, text.toString());
                }
            }
        }

        void notifyRequest() {
            ChatModelRequestContext context = new ChatModelRequestContext(request, provider(), attributes);
            listeners.forEach(l -> notify(() -> l.onRequest(context)));
        }

        private void notifyResponse(ChatResponse response) {
            if (ended.compareAndSet(false, true)) {
                ChatModelResponseContext context = new ChatModelResponseContext(response, request, provider(),
                        attributes);
                listeners.forEach(l -> notify(() -> l.onResponse(context)));
            }
        }

        /** A listener that throws must not break the chat, as in LangChain4j's own models. */
        private void notify(Runnable listenerCall) {
            try {
                listenerCall.run();
            } catch (RuntimeException e) {
                LOG.warn("A chat model listener failed", e);
            }
        }
    }

    private static boolean isBlank(byte[] line) {
        for (byte b : line) {
            if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
                return false;
            }
        }
        return true;
    }

    private static FinishReason finishReason(String doneReason, boolean toolCalls) {
        if (toolCalls) {
            return FinishReason.TOOL_EXECUTION;
        }
        if (doneReason == null || doneReason.equals("stop")) {
            return FinishReason.STOP;
        }
        return doneReason.equals("length") ? FinishReason.LENGTH : FinishReason.OTHER;
    }

    // ---- LangChain4j types to Ollama's wire format

    private OllamaWire.ChatRequest wire(ChatRequest request) {
        List<ToolSpecification> tools = request.toolSpecifications();
        Double temperature = request.temperature();
        return new OllamaWire.ChatRequest(request.modelName(),
                request.messages().stream().map(this::wire).toList(),
                tools == null || tools.isEmpty() ? null : tools.stream().map(OllamaChatModel::wire).toList(),
                true,
                temperature == null ? null : Map.of("temperature", temperature));
    }

    private OllamaWire.Message wire(ChatMessage message) {
        if (message instanceof SystemMessage system) {
            return new OllamaWire.Message("system", system.text(), null, null, null);
        }
        if (message instanceof UserMessage user) {
            return new OllamaWire.Message("user", user.singleText(), null, null, null);
        }
        if (message instanceof AiMessage ai) {
            List<OllamaWire.ToolCall> calls = ai.hasToolExecutionRequests()
                    ? ai.toolExecutionRequests().stream().map(this::wire).toList()
                    : null;
            return new OllamaWire.Message("assistant", ai.text() == null ? "" : ai.text(), calls, null, null);
        }
        if (message instanceof ToolExecutionResultMessage tool) {
            return new OllamaWire.Message("tool", tool.text(), null, tool.toolName(), tool.id());
        }
        throw new IllegalArgumentException("Ollama has no role for a " + message.type() + " message");
    }

    private OllamaWire.ToolCall wire(ToolExecutionRequest request) {
        return new OllamaWire.ToolCall(request.id(),
                new OllamaWire.Function(null, request.name(), arguments(request.arguments())));
    }

    private Map<String, Object> arguments(String arguments) {
        if (arguments == null || arguments.isBlank()) {
            return Map.of();
        }
        try {
            return json.readValue(arguments, OBJECT);
        } catch (JsonProcessingException e) {
            return Map.of();
        }
    }

    private static OllamaWire.Tool wire(ToolSpecification spec) {
        Map<String, Object> parameters = spec.parameters() == null
                ? Map.of("type", "object", "properties", Map.of())
                : JsonSchemaElementUtils.toMap(spec.parameters());
        return new OllamaWire.Tool("function",
                new OllamaWire.ToolFunction(spec.name(), spec.description(), parameters));
    }

    /** Tool-call arguments arrive as a JSON object; LangChain4j keeps them as JSON text. */
    private String argumentsJson(Map<String, Object> arguments) {
        try {
            return json.writeValueAsString(arguments == null ? Map.of() : arguments);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
