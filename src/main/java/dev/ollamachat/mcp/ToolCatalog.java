package dev.ollamachat.mcp;

import dev.langchain4j.agent.tool.ToolSpecification;
import java.util.List;
import java.util.Optional;

/** The tools on offer now, each with the MCP server that serves it, and the servers that could not be asked. */
public record ToolCatalog(List<McpTool> tools, List<McpServerUnavailableException> unavailable) {

    /** No tools at all (for a model that cannot take them). */
    public static final ToolCatalog NONE = new ToolCatalog(List.of(), List.of());

    /** The specifications, as a chat request offers them to the model. */
    public List<ToolSpecification> specifications() {
        return tools.stream().map(McpTool::specification).toList();
    }

    public Optional<McpTool> find(String name) {
        return tools.stream().filter(t -> t.specification().name().equals(name)).findFirst();
    }

    /** A tool and the server that serves it. */
    public record McpTool(ToolSpecification specification, McpServerConnection server) {
    }
}
