package dev.ollamachat.mcp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.exception.ToolExecutionException;
import dev.langchain4j.mcp.client.McpClient;
import dev.langchain4j.service.tool.ToolExecutionResult;
import dev.langchain4j.service.tool.ToolProvider;
import dev.langchain4j.service.tool.ToolProviderRequest;
import dev.langchain4j.service.tool.ToolProviderResult;
import dev.ollamachat.chat.Conversation;
import dev.ollamachat.chat.ConversationStore;
import dev.ollamachat.chat.ToolCall;
import dev.ollamachat.ollama.OllamaCatalog;
import dev.ollamachat.telemetry.ChatTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.quarkus.arc.Unremovable;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Offers the model the tools of all MCP servers, runs them, and records each call (and each unreachable server)
 * on the conversation's current turn.
 */
@Unremovable
@ApplicationScoped
public class McpToolbox implements ToolProvider {

    private final McpServers servers;
    private final ConversationStore conversations;
    private final ObjectMapper json;
    private final ChatTelemetry telemetry;
    private final OllamaCatalog ollamaCatalog;

    McpToolbox(McpServers servers, ConversationStore conversations, ObjectMapper json, ChatTelemetry telemetry,
            OllamaCatalog ollamaCatalog) {
        this.ollamaCatalog = ollamaCatalog;
        this.telemetry = telemetry;
        this.servers = servers;
        this.conversations = conversations;
        this.json = json;
    }

    /** The tools on offer now; unreachable servers become warnings on the conversation's turn. */
    public McpServers.ToolCatalog catalogFor(Object conversationId) {
        String model = ollamaCatalog.modelName();
        if (!ollamaCatalog.supportsTools(model)) {
            turnOf(conversationId).ifPresent(t -> t.warn("The model '" + model + "' does not support tools "
                    + "(Ollama's capabilities say so); it answered without the MCP tools"));
            return new McpServers.ToolCatalog(List.of(), List.of());
        }
        McpServers.ToolCatalog catalog = servers.catalog();
        turnOf(conversationId).ifPresent(t -> catalog.unavailable()
                .forEach(e -> t.warn(e.getMessage() + "; its tools were not offered")));
        return catalog;
    }

    @Override
    public ToolProviderResult provideTools(ToolProviderRequest request) {
        ToolProviderResult.Builder result = ToolProviderResult.builder();
        for (McpServers.McpTool tool : catalogFor(request.chatMemoryId()).tools()) {
            result.add(tool.specification(), (call, memoryId) -> textForModel(callAndRecord(tool, call, memoryId)));
        }
        return result.build();
    }

    /** Runs a tool and records the call on the conversation's current turn. Blocks until the tool answers. */
    public ToolCall callAndRecord(McpServers.McpTool tool, ToolExecutionRequest call, Object conversationId) {
        Span span = tool == null
                ? telemetry.startTool(Context.current(), call, null, null, null)
                : telemetry.startTool(Context.current(), call, tool.server().name(), tool.server().url(),
                        tool.specification().description());
        ToolCall record;
        try (Scope ignored = span.makeCurrent()) {
            record = tool == null ? unknown(call) : call(tool.server(), call);
        } catch (RuntimeException e) {
            telemetry.failed(span, e);
            span.end();
            throw e;
        }
        telemetry.endTool(span, record.result(), record.error());
        turnOf(conversationId).ifPresent(t -> t.recordToolCall(record));
        return record;
    }

    /** What the model reads back: the result, or the error that it can act on. */
    public static String textForModel(ToolCall call) {
        return call.error() == null ? call.result() : "Error: " + call.error();
    }

    private ToolCall call(McpServerConnection server, ToolExecutionRequest call) {
        Object arguments = parseArguments(call.arguments());
        String result = null;
        String error = null;
        try {
            McpClient client = server.connected();
            try {
                ToolExecutionResult executed = client.executeTool(call);
                if (executed.isError()) {
                    error = executed.resultText();
                } else {
                    result = executed.resultText();
                }
            } catch (ToolExecutionException e) {
                error = e.getMessage();
            } catch (RuntimeException e) {
                throw server.disconnect(client, e);
            }
        } catch (McpServerUnavailableException e) {
            error = e.getMessage();
        }
        return new ToolCall(call.name(), server.name(), arguments, result, error);
    }

    private ToolCall unknown(ToolExecutionRequest call) {
        return new ToolCall(call.name(), null, parseArguments(call.arguments()), null,
                "there is no tool named '" + call.name() + "'. Use only the tools you were given.");
    }

    private Optional<Conversation.Turn> turnOf(Object conversationId) {
        if (conversationId == null) {
            return Optional.empty();
        }
        return conversations.find(conversationId.toString()).map(Conversation::currentTurn);
    }

    private Object parseArguments(String arguments) {
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
