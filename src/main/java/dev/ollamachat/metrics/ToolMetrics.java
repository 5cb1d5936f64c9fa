package dev.ollamachat.metrics;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.ollamachat.mcp.ToolCatalog;
import dev.ollamachat.mcp.ToolOutcome;
import dev.ollamachat.mcp.Toolbox;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.annotation.Priority;
import jakarta.decorator.Decorator;
import jakarta.decorator.Delegate;
import jakarta.inject.Inject;

/**
 * Tool calls by tool, server and outcome ({@code ollama_chat.tool.calls}, a timer: count and duration), as a decorator
 * around the toolbox. The outcome is {@code ok}, {@code error} (the tool or its server failed) or {@code refused} (a
 * tool the model named that was not offered: unknown or filtered by the tool policy).
 */
@Decorator
@Priority(20)
class ToolMetrics implements Toolbox {

    static final String CALLS = "ollama_chat.tool.calls";

    @Inject
    @Delegate
    Toolbox toolbox;

    @Inject
    MeterRegistry registry;

    @Override
    public ToolCatalog offer() {
        return toolbox.offer();
    }

    @Override
    public java.util.Optional<ToolCatalog> recentOffer() {
        return toolbox.recentOffer();
    }

    @Override
    public ToolOutcome run(ToolCatalog catalog, ToolExecutionRequest request) {
        long started = System.nanoTime();
        boolean offered = catalog.find(request.name()).isPresent();
        ToolOutcome outcome = null;
        try {
            outcome = toolbox.run(catalog, request);
            return outcome;
        } finally {
            String result = !offered ? "refused" : outcome == null || outcome.failed() ? "error" : "ok";
            Timer.builder(CALLS).description("MCP tool calls the model asked for")
                    // a name the model made up is not a label value: only offered tools are named
                    .tag("gen_ai.tool.name", offered ? request.name() : "(not offered)")
                    .tag("server", offered && outcome != null && outcome.server() != null ? outcome.server() : "none")
                    .tag("outcome", result)
                    .register(registry).record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
    }
}
