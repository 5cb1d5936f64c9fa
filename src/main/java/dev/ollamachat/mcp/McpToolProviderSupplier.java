package dev.ollamachat.mcp;

import dev.langchain4j.service.tool.ToolProvider;
import io.quarkus.arc.Arc;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.function.Supplier;

/**
 * Hands the AI service our MCP tool provider. Naming a supplier also makes quarkus-langchain4j run tools on a
 * worker thread, away from the event loop that delivers the MCP replies.
 */
@ApplicationScoped
public class McpToolProviderSupplier implements Supplier<ToolProvider> {

    @Override
    public ToolProvider get() {
        return Arc.container().instance(McpToolbox.class).get();
    }
}
