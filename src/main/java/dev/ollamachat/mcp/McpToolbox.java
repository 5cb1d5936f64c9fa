package dev.ollamachat.mcp;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.exception.ToolArgumentsException;
import dev.langchain4j.exception.ToolExecutionException;
import dev.langchain4j.mcp.client.McpClient;
import dev.langchain4j.service.tool.ToolExecutionResult;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.util.Optional;

/** The tools of the configured MCP servers: lists them and runs them over the MCP client. */
@ApplicationScoped
public class McpToolbox implements Toolbox {

    private final McpServers servers;

    McpToolbox(McpServers servers) {
        this.servers = servers;
    }

    @Override
    public ToolCatalog offer() {
        return servers.catalog();
    }

    @Override
    public Optional<ToolCatalog> recentOffer() {
        return servers.recentCatalog();
    }

    @Override
    public ToolOutcome run(ToolCatalog catalog, ToolExecutionRequest request) {
        return catalog.find(request.name())
                .map(tool -> call(tool.server(), request))
                .orElseGet(() -> catalog.filteredOut(request.name())
                        .map(filtered -> new ToolOutcome(filtered.server(), null, "the tool '" + request.name()
                                + "' is not allowed here. Use only the tools you were given."))
                        .orElseGet(() -> new ToolOutcome(null, null, "there is no tool named '" + request.name()
                                + "'. Use only the tools you were given.")));
    }

    private ToolOutcome call(McpServerConnection server, ToolExecutionRequest request) {
        try {
            McpClient client = server.connected();
            ToolExecutionResult executed;
            try {
                executed = client.executeTool(request);
            } catch (ToolArgumentsException e) {
                return new ToolOutcome(server.name(), null, "the arguments are not a JSON object: " + request.arguments());
            } catch (ToolExecutionException e) {
                if (!isTransportFailure(e)) {
                    return new ToolOutcome(server.name(), null, McpServerConnection.rootMessage(e));
                }
                throw server.disconnect(client, e);
            } catch (RuntimeException e) {
                throw server.disconnect(client, e);
            }
            String text = executed.resultText() == null ? "" : executed.resultText();
            if (text.equals(McpServerConnection.TOOL_TIMEOUT_RESULT)) {
                return new ToolOutcome(server.name(), null, "the tool did not answer within "
                        + server.toolTimeout().toMillis() + " ms (MCP_TOOL_TIMEOUT)");
            }
            return executed.isError()
                    ? new ToolOutcome(server.name(), null, text.isBlank() ? "the tool failed without saying why" : text)
                    : new ToolOutcome(server.name(), text, null);
        } catch (McpServerUnavailableException e) {
            return new ToolOutcome(server.name(), null, e.getMessage());
        }
    }

    /** The MCP client wraps a broken connection in a tool execution failure; that is the server's, not the tool's. */
    private static boolean isTransportFailure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof IOException) {
                return true;
            }
        }
        return false;
    }
}
