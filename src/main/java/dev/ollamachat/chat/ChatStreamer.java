package dev.ollamachat.chat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.ollamachat.ProblemException;
import dev.ollamachat.mcp.McpServers;
import dev.ollamachat.mcp.McpToolbox;
import dev.ollamachat.ollama.OllamaStreamingClient;
import dev.ollamachat.ollama.OllamaWire;
import dev.ollamachat.telemetry.ChatTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.mutiny.subscription.Cancellable;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A chat turn streamed token by token: Ollama's NDJSON chunks become {@link StreamEvent}s as they arrive, tool calls
 * run on a worker thread between model calls, and the conversation memory takes the turn when it ends. Cancelling
 * the stream cancels the Ollama request in flight.
 */
@ApplicationScoped
public class ChatStreamer {

    /** Model calls allowed in one turn, so that a model that keeps calling tools cannot loop forever. */
    static final int MAX_MODEL_CALLS = 10;
    static final String INTERRUPTED_MARK = " [interrupted]";

    private final ConversationStore conversations;
    private final OllamaStreamingClient ollama;
    private final McpToolbox toolbox;
    private final ObjectMapper json;
    private final ChatTelemetry telemetry;

    ChatStreamer(ConversationStore conversations, OllamaStreamingClient ollama, McpToolbox toolbox,
            ObjectMapper json, ChatTelemetry telemetry) {
        this.telemetry = telemetry;
        this.conversations = conversations;
        this.ollama = ollama;
        this.toolbox = toolbox;
        this.json = json;
    }

    public Multi<StreamEvent> stream(String conversationId, String message) {
        String id = conversationId == null ? UUID.randomUUID().toString() : conversationId;
        Context parent = Context.current();
        return Uni.createFrom().item(() -> open(parent, id, message))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .onItem().transformToMulti(StreamedTurn::events);
    }

    /** Subscribes with {@code context} current, so the HTTP client span of the call is a child of the LLM span. */
    private static <T> Multi<T> subscribedWithin(Context context, Supplier<Multi<T>> source) {
        return Multi.createFrom().emitter(emitter -> {
            try (Scope ignored = context.makeCurrent()) {
                Cancellable upstream = source.get().subscribe().with(emitter::emit, emitter::fail, emitter::complete);
                emitter.onTermination(upstream::cancel);
            }
        });
    }

    /** Blocking: waits for the conversation's previous turn and lists the tools. Runs on a worker thread. */
    private StreamedTurn open(Context parent, String id, String message) {
        long started = System.nanoTime();
        Context chat = telemetry.startChat(parent, id, message);
        try (Scope ignored = chat.makeCurrent()) {
            Conversation conversation = conversations.openTurn(id);
            Conversation.Turn turn = conversation.currentTurn();
            try {
                return new StreamedTurn(chat, conversation, turn, toolbox.catalogFor(id), message, started);
            } catch (RuntimeException e) {
                conversation.endTurn();
                throw e;
            }
        } catch (RuntimeException e) {
            telemetry.failed(Span.fromContext(chat), e);
            telemetry.endChat(chat, null);
            throw e;
        }
    }

    /** The state of one streamed turn; its events are produced one model call after another. */
    final class StreamedTurn {
        private final Context chat;
        private final Conversation conversation;
        private final Conversation.Turn turn;
        private final McpServers.ToolCatalog catalog;
        private final List<ToolSpecification> specifications;
        private final long startedNanos;
        /** Messages of this turn, added to the memory only when the turn ends. */
        private final List<ChatMessage> pending = new ArrayList<>();
        private final StringBuilder partialReply = new StringBuilder();
        private int inputTokens;
        private int outputTokens;
        private Long timeToFirstTokenMs;
        private boolean ended;
        private ModelCall current;

        StreamedTurn(Context chat, Conversation conversation, Conversation.Turn turn, McpServers.ToolCatalog catalog,
                String message, long startedNanos) {
            this.chat = chat;
            this.conversation = conversation;
            this.turn = turn;
            this.catalog = catalog;
            this.specifications = catalog.tools().stream().map(McpServers.McpTool::specification).toList();
            this.startedNanos = startedNanos;
            if (conversation.memory().messages().isEmpty()) {
                pending.add(SystemMessage.from(ChatAssistant.SYSTEM_PROMPT));
            }
            pending.add(UserMessage.from(message));
        }

        Multi<StreamEvent> events() {
            return modelCall(1).onTermination().invoke(this::end);
        }

        private Multi<StreamEvent> modelCall(int number) {
            if (number > MAX_MODEL_CALLS) {
                return Multi.createFrom().failure(new ProblemException(502, "too-many-tool-calls",
                        "Too many tool calls", "The model was still calling tools after " + MAX_MODEL_CALLS
                                + " model calls; the turn was stopped"));
            }
            List<ChatMessage> messages = new ArrayList<>(conversation.memory().messages());
            messages.addAll(pending);
            ModelCall call = new ModelCall();
            current = call;
            Multi<StreamEvent> tokens = Multi.createFrom().deferred(() -> {
                call.start(telemetry.startLlm(chat, ollama.modelName(), messages, specifications,
                        ollama.invocationParameters()));
                return subscribedWithin(chat.with(call.span), () -> ollama.chat(messages, specifications))
                        .onItem().transformToIterable(call::accept)
                        .onCompletion().invoke(call::completed)
                        .onFailure().invoke(call::failed)
                        .onCancellation().invoke(call::cancelled);
            });
            Multi<StreamEvent> next = Multi.createFrom().deferred(() -> call.requests.isEmpty()
                    ? Multi.createFrom().item(finish(call))
                    : runTools(call).onCompletion().switchTo(() -> modelCall(number + 1)));
            return Multi.createBy().concatenating().streams(tokens, next);
        }

        private StreamEvent finish(ModelCall call) {
            pending.add(AiMessage.from(call.text.toString()));
            TraceIds trace = TraceIds.of(Span.fromContext(chat), telemetry);
            return new StreamEvent.Done(conversation.id(), ollama.modelName(),
                    new ChatReply.TokenCounts(inputTokens, outputTokens), elapsedMs(), timeToFirstTokenMs,
                    turn.warnings(), trace.traceId(), trace.traceUrl());
        }

        private Multi<StreamEvent> runTools(ModelCall call) {
            pending.add(AiMessage.from(call.text.toString(), call.requests));
            partialReply.setLength(0);
            return Multi.createFrom().iterable(call.requests)
                    .onItem().transformToMultiAndConcatenate(this::runTool);
        }

        private Multi<StreamEvent> runTool(ToolExecutionRequest request) {
            StreamEvent requested = new StreamEvent.ToolCallRequested(request.name(),
                    argumentsOf(request));
            Uni<StreamEvent> result = Uni.createFrom().item(() -> {
                McpServers.McpTool tool = catalog.tools().stream()
                        .filter(t -> t.specification().name().equals(request.name()))
                        .findFirst().orElse(null);
                ToolCall done;
                try (Scope ignored = chat.makeCurrent()) {
                    done = toolbox.callAndRecord(tool, request, conversation.id());
                }
                pending.add(ToolExecutionResultMessage.from(request, McpToolbox.textForModel(done)));
                return (StreamEvent) new StreamEvent.ToolResult(done.name(), done.result(), done.error());
            }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
            return Multi.createBy().concatenating().streams(Multi.createFrom().item(requested), result.toMulti());
        }

        private Object argumentsOf(ToolExecutionRequest request) {
            try {
                return json.readTree(request.arguments());
            } catch (JsonProcessingException e) {
                return request.arguments();
            }
        }

        /** Commits the turn to memory (a cut-short reply marked as interrupted) and frees the conversation. */
        private synchronized void end(Throwable failure, boolean cancelled) {
            if (ended) {
                return;
            }
            ended = true;
            try {
                boolean finished = failure == null && !cancelled;
                boolean progressed = partialReply.length() > 0
                        || pending.stream().anyMatch(m -> m instanceof ToolExecutionResultMessage);
                if (!finished && progressed) {
                    pending.add(AiMessage.from((partialReply + INTERRUPTED_MARK).strip()));
                }
                if (finished || progressed) {
                    pending.forEach(conversation.memory()::add);
                }
            } finally {
                conversation.endTurn();
                if (current != null && cancelled) {
                    current.cancelled();
                }
                Span chatSpan = Span.fromContext(chat);
                if (failure != null) {
                    telemetry.failed(chatSpan, failure);
                } else if (cancelled) {
                    telemetry.cancelled(chatSpan);
                }
                ChatMessage last = pending.get(pending.size() - 1);
                telemetry.endChat(chat, last instanceof AiMessage ai ? ai.text() : null);
            }
        }

        private long elapsedMs() {
            return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
        }

        /** Collects one model call's text, tool calls and token counts while its chunks go by. */
        final class ModelCall {
            private final StringBuilder text = new StringBuilder();
            private final List<ToolExecutionRequest> requests = new ArrayList<>();
            private Span span;
            private boolean spanEnded;
            private long startedNanos;
            private boolean firstToken = true;
            private Integer callInputTokens;
            private Integer callOutputTokens;
            private String doneReason;
            private String responseModel;

            void start(Span llmSpan) {
                span = llmSpan;
                startedNanos = System.nanoTime();
            }

            synchronized void completed() {
                if (spanEnded) {
                    return;
                }
                spanEnded = true;
                AiMessage reply = requests.isEmpty() ? AiMessage.from(text.toString())
                        : AiMessage.from(text.toString(), requests);
                telemetry.describeLlmResponse(span, responseModel, reply, callInputTokens, callOutputTokens,
                        doneReason == null ? "stop" : doneReason,
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos));
                span.end();
            }

            synchronized void failed(Throwable failure) {
                if (!spanEnded) {
                    spanEnded = true;
                    telemetry.failed(span, failure);
                    span.end();
                }
            }

            /** The client went away; safe to call more than once, and before the span was started. */
            synchronized void cancelled() {
                if (span != null && !spanEnded) {
                    spanEnded = true;
                    telemetry.cancelled(span);
                    span.end();
                }
            }

            List<StreamEvent> accept(OllamaWire.Chunk chunk) {
                List<StreamEvent> events = new ArrayList<>(1);
                OllamaWire.Message message = chunk.message();
                if (message != null) {
                    if (message.content() != null && !message.content().isEmpty()) {
                        if (timeToFirstTokenMs == null) {
                            timeToFirstTokenMs = elapsedMs();
                        }
                        if (firstToken) {
                            firstToken = false;
                            telemetry.firstToken(span,
                                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos));
                        }
                        text.append(message.content());
                        partialReply.append(message.content());
                        events.add(new StreamEvent.Token(message.content()));
                    }
                    if (message.toolCalls() != null) {
                        message.toolCalls().forEach(this::addRequest);
                    }
                }
                if (chunk.done()) {
                    callInputTokens = chunk.promptEvalCount();
                    callOutputTokens = chunk.evalCount();
                    doneReason = chunk.doneReason();
                    responseModel = chunk.model();
                    inputTokens += callInputTokens == null ? 0 : callInputTokens;
                    outputTokens += callOutputTokens == null ? 0 : callOutputTokens;
                }
                return events;
            }

            private void addRequest(OllamaWire.ToolCall call) {
                String id = call.id() != null ? call.id() : "call_" + (requests.size() + 1);
                requests.add(ToolExecutionRequest.builder()
                        .id(id)
                        .name(call.function().name())
                        .arguments(ollama.argumentsJson(call.function().arguments()))
                        .build());
            }
        }
    }
}
