package dev.ollamachat.mcp;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import java.util.Optional;

/**
 * The tools a chat may use. {@link #offer} and {@link #run} block (they talk to MCP servers), so callers run them on
 * a worker thread. Decorators hook in here (the tool spans do).
 */
public interface Toolbox {

    /** The tools on offer now, and the servers that could not be reached. */
    ToolCatalog offer();

    /**
     * Without blocking: the tools {@link #offer} found a moment ago, when every server answered then; empty when a
     * chat must ask again.
     */
    Optional<ToolCatalog> recentOffer();

    /**
     * Runs one tool call the model asked for. Never throws for a tool that fails, a server that is gone or a tool
     * that does not exist: each comes back as the outcome's error, which the model is shown.
     */
    ToolOutcome run(ToolCatalog catalog, ToolExecutionRequest request);
}
