package dev.ollamachat.mcp;

import dev.langchain4j.agent.tool.ToolSpecification;
import java.util.List;
import java.util.Optional;

/**
 * The tools on offer now, each with the MCP server that serves it; the tools the policy keeps out; and the servers
 * that could not be asked.
 */
public record ToolCatalog(List<McpTool> tools, List<FilteredTool> filtered,
        List<McpServerUnavailableException> unavailable) {

    /** No tools at all (for a model that cannot take them). */
    public static final ToolCatalog NONE = new ToolCatalog(List.of(), List.of(), List.of());

    /** The specifications, as a chat request offers them to the model. */
    public List<ToolSpecification> specifications() {
        return tools.stream().map(McpTool::specification).toList();
    }

    public Optional<McpTool> find(String name) {
        return tools.stream().filter(t -> t.specification().name().equals(name)).findFirst();
    }

    /** Why a tool of that name is not offered, if the policy keeps it out. */
    public Optional<FilteredTool> filteredOut(String name) {
        return filtered.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    /** A tool and the server that serves it. */
    public record McpTool(ToolSpecification specification, McpServerConnection server) {
    }

    /** A tool of a reachable server that the tool policy keeps from the model, and why. */
    public record FilteredTool(String name, String server, String reason) {
    }
}
