package dev.ollamachat.chat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.TokenUsage;
import dev.ollamachat.ProblemException;
import dev.ollamachat.config.ChatConfig;
import dev.ollamachat.mcp.ToolCatalog;
import dev.ollamachat.mcp.ToolOutcome;
import dev.ollamachat.mcp.Toolbox;
import dev.ollamachat.ollama.ModelOutput;
import dev.ollamachat.ollama.OllamaCatalog;
import dev.ollamachat.ollama.OllamaChatModel;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import org.jboss.logging.Logger;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The one chat engine behind every endpoint. A turn waits (without a thread) for the conversation's previous turn,
 * offers the model the MCP tools, streams each model call, runs the tools the model asks for on a worker thread, and
 * calls the model again with their results, at most MAX_TOOL_ROUNDS times. It yields {@link ChatEvent}s as they
 * happen; the JSON endpoint collects them, the SSE endpoint relays them.
 *
 * <p>Memory: the turn's messages join the conversation only when it ends; a finished turn's are written before its
 * {@link ChatEvent.Completed} goes out, so a client that heard the reply finds it in the conversation. A turn that
 * failed or was cancelled after some text or a tool result is kept, its reply marked {@value #INTERRUPTED_MARK}; one
 * that failed before anything happened leaves the conversation as it was.
 */
@ApplicationScoped
public class ChatEngine implements ChatTurns {

    private static final Logger LOG = Logger.getLogger(ChatEngine.class);

    static final String INTERRUPTED_MARK = " [interrupted]";

    private final ConversationStore conversations;
    private final OllamaChatModel model;
    private final OllamaCatalog ollama;
    private final Toolbox toolbox;
    private final SystemPrompts prompts;
    private final ObjectMapper json;
    private final int maxToolRounds;

    ChatEngine(ConversationStore conversations, OllamaChatModel model, OllamaCatalog ollama, Toolbox toolbox,
            SystemPrompts prompts, ObjectMapper json, ChatConfig config) {
        this.prompts = prompts;
        this.conversations = conversations;
        this.model = model;
        this.ollama = ollama;
        this.toolbox = toolbox;
        this.json = json;
        this.maxToolRounds = config.maxToolRounds();
    }

    @Override
    public Multi<ChatEvent> turn(TurnRequest request) {
        return Multi.createFrom().deferred(() -> {
            WorkerThreads workers = WorkerThreads.ofCurrentContext();
            // a model Ollama lacks is refused before the conversation is touched
            return ollama.requireModel(request.model())
                    .chain(modelName -> conversations.openTurn(request.conversationId(), request.owner())
                            .map(conversation -> new Turn(conversation, request, modelName, workers)))
                    .onItem().transformToMulti(Turn::events);
        });
    }

    /** One turn's state. Its steps run one after another, on whichever thread delivers the step before. */
    private final class Turn {
        private final Conversation conversation;
        private final WorkerThreads workers;
        /** The model this turn talks to: the one asked for, or OLLAMA_MODEL. */
        private final String modelName;
        private final long startedNanos = System.nanoTime();
        /** This turn's messages, added to the conversation's memory when the turn ends. */
        private final List<ChatMessage> pending = new ArrayList<>();
        private final List<ToolCall> toolCalls = new ArrayList<>();
        private final Set<String> warnings = new LinkedHashSet<>();
        /** The text of the model call in flight, kept for a reply cut short. */
        private final StringBuilder replyText = new StringBuilder();
        private ToolCatalog catalog = ToolCatalog.NONE;
        private int inputTokens;
        private int outputTokens;
        private Long timeToFirstTokenMs;
        private boolean ended;

        Turn(Conversation conversation, TurnRequest request, String modelName, WorkerThreads workers) {
            this.conversation = conversation;
            this.modelName = modelName;
            this.workers = workers;
            if (conversation.history().isEmpty()) {
                pending.add(SystemMessage.from(prompts.current().text()));
            }
            pending.add(UserMessage.from(request.message()));
        }

        Multi<ChatEvent> events() {
            return offerTools()
                    .onItem().transformToMulti(offered -> {
                        catalog = offered;
                        return modelCall(0);
                    })
                    // a finished turn is written before its Completed event (see afterModelCall); a failed one
                    // before the failure goes on; a client that left does not wait
                    .onFailure().call(failure -> end(failure, false))
                    .onCancellation().invoke(() -> end(null, true).subscribe().with(ignored -> {
                    }, failure -> LOG.warnf("A cancelled turn of conversation %s was not written: %s",
                            conversation.id(), failure.getMessage())));
        }

        /** The tools of the reachable MCP servers, or none when the model cannot take tools. */
        private Uni<ToolCatalog> offerTools() {
            return ollama.supportsTools(modelName).chain(supported -> {
                if (!supported) {
                    warn("The model '" + modelName + "' does not support tools (Ollama's capabilities say so); "
                            + "it answered without the MCP tools");
                    return Uni.createFrom().item(ToolCatalog.NONE);
                }
                Optional<ToolCatalog> recent = toolbox.recentOffer();
                if (recent.isPresent()) {
                    return Uni.createFrom().item(recent.get());
                }
                return workers.run(toolbox::offer).invoke(offered -> offered.unavailable()
                        .forEach(e -> warn(e.getMessage() + "; its tools were not offered")));
            });
        }

        /** Model call number {@code round} (from 0), then whatever it leads to: tools and another call, or the end. */
        private Multi<ChatEvent> modelCall(int round) {
            boolean offerTools = round < maxToolRounds && !catalog.tools().isEmpty();
            if (round == maxToolRounds && round > 0) {
                warn("The model was still calling tools after " + maxToolRounds
                        + " rounds (MAX_TOOL_ROUNDS); it was asked to answer without them");
            }
            List<ChatMessage> messages = new ArrayList<>(conversation.history());
            messages.addAll(pending);
            ChatRequest request = ChatRequest.builder()
                    .modelName(modelName)
                    .messages(messages)
                    .toolSpecifications(offerTools ? catalog.specifications() : null)
                    .build();
            ChatResponse[] response = new ChatResponse[1];
            Multi<ChatEvent> tokens = model.stream(request).onItem().transformToIterable(output -> {
                if (output instanceof ModelOutput.Text text) {
                    return List.of(onText(text.text()));
                }
                response[0] = ((ModelOutput.Complete) output).response();
                return List.of();
            });
            Multi<ChatEvent> next = Multi.createFrom().deferred(() -> afterModelCall(response[0], round));
            return Multi.createBy().concatenating().streams(tokens, next);
        }

        private synchronized ChatEvent onText(String text) {
            if (timeToFirstTokenMs == null) {
                timeToFirstTokenMs = elapsedMs();
            }
            replyText.append(text);
            return new ChatEvent.Token(text);
        }

        private Multi<ChatEvent> afterModelCall(ChatResponse response, int round) {
            count(response);
            AiMessage answer = response.aiMessage();
            if (!answer.hasToolExecutionRequests()) {
                String text = answer.text() == null ? "" : answer.text();
                pending.add(AiMessage.from(text));
                ChatEvent completed = new ChatEvent.Completed(reply(text), timeToFirstTokenMs);
                // whoever hears that the turn ended finds it in the conversation (the page lists it at once)
                return end(null, false).replaceWith(completed).toMulti();
            }
            if (round >= maxToolRounds) {
                return Multi.createFrom().failure(new ProblemException(502, "too-many-tool-calls",
                        "Too many tool calls", "The model kept calling tools after " + maxToolRounds
                                + " rounds (MAX_TOOL_ROUNDS), even when offered none; the turn was stopped"));
            }
            pending.add(answer);
            synchronized (this) {
                replyText.setLength(0);
            }
            return Multi.createFrom().iterable(answer.toolExecutionRequests())
                    .onItem().transformToMultiAndConcatenate(this::runTool)
                    .onCompletion().switchTo(() -> modelCall(round + 1));
        }

        private Multi<ChatEvent> runTool(ToolExecutionRequest request) {
            Object arguments = argumentsOf(request.arguments());
            ChatEvent requested = new ChatEvent.ToolCallRequested(request.id(), request.name(), arguments);
            Uni<ChatEvent> finished = workers.run(() -> toolbox.run(catalog, request))
                    .map(outcome -> onToolOutcome(request, arguments, outcome));
            return Multi.createBy().concatenating().streams(Multi.createFrom().item(requested), finished.toMulti());
        }

        private synchronized ChatEvent onToolOutcome(ToolExecutionRequest request, Object arguments,
                ToolOutcome outcome) {
            ToolCall call = new ToolCall(request.id(), request.name(), outcome.server(), arguments, outcome.result(),
                    outcome.error());
            toolCalls.add(call);
            pending.add(new ToolExecutionResultMessage(request.id(), request.name(), outcome.textForModel()));
            return new ChatEvent.ToolCallFinished(call);
        }

        private void count(ChatResponse response) {
            TokenUsage usage = response.tokenUsage();
            if (usage != null) {
                inputTokens += usage.inputTokenCount() == null ? 0 : usage.inputTokenCount();
                outputTokens += usage.outputTokenCount() == null ? 0 : usage.outputTokenCount();
            }
        }

        private synchronized ChatReply reply(String text) {
            return new ChatReply(conversation.id(), text, modelName,
                    List.copyOf(toolCalls), new ChatReply.TokenCounts(inputTokens, outputTokens), elapsedMs(),
                    List.copyOf(warnings), null, null);
        }

        private synchronized void warn(String warning) {
            warnings.add(warning);
        }

        /** Writes the turn (a cut-short reply marked as interrupted) and frees the conversation; once only. */
        private Uni<Void> end(Throwable failure, boolean cancelled) {
            List<ChatMessage> written;
            synchronized (this) {
                if (ended) {
                    return Uni.createFrom().voidItem();
                }
                ended = true;
                boolean finished = failure == null && !cancelled;
                boolean progressed = replyText.length() > 0 || !toolCalls.isEmpty();
                if (!finished && progressed) {
                    pending.add(AiMessage.from((replyText + INTERRUPTED_MARK).strip()));
                }
                written = finished || progressed ? List.copyOf(pending) : List.of();
            }
            return conversations.endTurn(conversation, written);
        }

        private long elapsedMs() {
            return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
        }
    }

    /** Tool arguments as JSON for the reply and events; their text when the model sent something else. */
    private Object argumentsOf(String arguments) {
        if (arguments == null || arguments.isBlank()) {
            return Map.of();
        }
        try {
            return json.readTree(arguments);
        } catch (JsonProcessingException e) {
            return arguments;
        }
    }
}
