package dev.ollamachat.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.langchain4j.internal.JsonSchemaElementUtils;
import dev.ollamachat.mcp.McpServerUnavailableException;
import dev.ollamachat.mcp.McpServers;
import dev.ollamachat.mcp.ToolCatalog;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Map;

@Path("/api/tools")
public class ToolResource {

    private final McpServers servers;

    ToolResource(McpServers servers) {
        this.servers = servers;
    }

    /** The tools the model is offered now, those the tool policy keeps out, and the state of each MCP server. */
    @APIResponse(responseCode = "200", description = "The tools, the filtered ones and the servers")
    @APIResponse(responseCode = "401", ref = "Problem401")
    @APIResponse(responseCode = "429", ref = "Problem429")
    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public ToolsView tools() {
        ToolCatalog catalog = servers.catalog();
        List<ToolView> tools = catalog.tools().stream().map(ToolResource::view).toList();
        List<ServerView> states = servers.connections().stream()
                .map(c -> new ServerView(c.name(), c.url(), errorOf(catalog, c.name()) == null,
                        errorOf(catalog, c.name())))
                .toList();
        List<FilteredToolView> filtered = catalog.filtered().stream()
                .map(t -> new FilteredToolView(t.name(), t.server(), t.reason())).toList();
        return new ToolsView(tools, filtered, states);
    }

    private static ToolView view(ToolCatalog.McpTool tool) {
        var spec = tool.specification();
        Map<String, Object> schema = spec.parameters() == null
                ? Map.of("type", "object", "properties", Map.of())
                : JsonSchemaElementUtils.toMap(spec.parameters());
        return new ToolView(spec.name(), spec.description(), tool.server().name(), schema);
    }

    private static String errorOf(ToolCatalog catalog, String server) {
        return catalog.unavailable().stream().filter(e -> e.server().equals(server))
                .map(McpServerUnavailableException::getMessage).findFirst().orElse(null);
    }

    /** {@code tools}: what the model is offered; {@code filtered}: what the tool policy keeps from it. */
    public record ToolsView(List<ToolView> tools, List<FilteredToolView> filtered, List<ServerView> servers) {
    }

    public record FilteredToolView(String name, String server, String reason) {
    }

    public record ToolView(String name, String description, String server, Map<String, Object> inputSchema) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ServerView(String name, String url, boolean available, String error) {
    }
}
