package dev.ollamachat.mcp;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.exception.ToolExecutionException;
import dev.langchain4j.mcp.client.McpClient;
import dev.langchain4j.service.tool.ToolExecutionResult;
import jakarta.enterprise.context.ApplicationScoped;

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
    public ToolOutcome run(ToolCatalog catalog, ToolExecutionRequest request) {
        return catalog.find(request.name())
                .map(tool -> call(tool.server(), request))
                .orElseGet(() -> new ToolOutcome(null, null,
                        "there is no tool named '" + request.name() + "'. Use only the tools you were given."));
    }

    private ToolOutcome call(McpServerConnection server, ToolExecutionRequest request) {
        try {
            McpClient client = server.connected();
            try {
                ToolExecutionResult executed = client.executeTool(request);
                String text = executed.resultText() == null ? "" : executed.resultText();
                return executed.isError() ? new ToolOutcome(server.name(), null, text.isEmpty() ? "the tool failed" : text)
                        : new ToolOutcome(server.name(), text, null);
            } catch (ToolExecutionException e) {
                return new ToolOutcome(server.name(), null, e.getMessage());
            } catch (RuntimeException e) {
                throw server.disconnect(client, e);
            }
        } catch (McpServerUnavailableException e) {
            return new ToolOutcome(server.name(), null, e.getMessage());
        }
    }
}
